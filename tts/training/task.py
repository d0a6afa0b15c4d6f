"""What a model brings to the Trainer: its model, data, loss, validation and media."""
from __future__ import annotations

from typing import Any, Protocol

import torch


class Task(Protocol):
    name: str                    # "acoustic", "vocoder", "recognizer"
    model: torch.nn.Module       # the bare model (the Trainer wraps it for DDP)

    def datasets(self) -> tuple[torch.utils.data.Dataset, torch.utils.data.Dataset | None]:
        """(train, validation) datasets."""

    def lengths(self, dataset) -> list[int]:
        """Item lengths, for length-bucketed batching."""

    def collate(self, items: list) -> dict:
        """A list of items → one padded batch (tensors on the CPU)."""

    def loss(self, model: torch.nn.Module, batch: dict, step: int) -> tuple[torch.Tensor, dict[str, float]]:
        """Training loss and its named terms; ``model`` may be DDP-wrapped."""

    def validate(self, model: torch.nn.Module, batches: list[dict]) -> dict[str, float]:
        """Validation metrics; must include ``loss`` (lower is better) and may include
        ``select``, which then picks the best checkpoint instead of ``loss``."""

    def log_media(self, writer: Any, model: torch.nn.Module, batch: dict, step: int) -> None:
        """Images and audio for TensorBoard."""

    def state(self) -> dict:
        """What a checkpoint must hold besides the weights (symbols, speakers, stats)."""
