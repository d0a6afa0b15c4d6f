"""What a model brings to the Trainer (its model, data, loss, validation and media), and
the registry through which each component offers its task to ``tts-train``.

A component registers its task where it defines it::

    @register_task(AcousticRunConfig)
    class AcousticTask: ...

and ``tts-train`` imports the components' task modules (``cli.train.TASK_MODULES``) and
dispatches on the config's ``task:`` through ``task_named``, with no per-task code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

import torch


class Task(Protocol):
    name: str  # "acoustic", "vocoder", "recognizer": the config's ``task:``
    model: torch.nn.Module  # the bare model (the Trainer wraps it for DDP)

    def __init__(self, config: Any, state: dict | None = None):
        """``state``: what ``state()`` returned when the checkpoint being resumed or
        fine-tuned was written (speakers, tokens...), so that the task rebuilds the same
        model; None for a new run."""

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

    def start_from(self, weights: dict) -> None:
        """Fine-tuning (``--init``): load these model weights into a new run."""


class RegisteredTask(NamedTuple):
    run_config: type  # the dataclass a config file of this task loads into
    task: type  # the Task class


_REGISTRY: dict[str, RegisteredTask] = {}


def register_task(run_config: type) -> Callable[[type], type]:
    """Class decorator: offer this Task (its ``name``) with the config class it trains from."""

    def register(task: type) -> type:
        if _REGISTRY.get(task.name, RegisteredTask(run_config, task)) != (run_config, task):
            raise ValueError(f"two tasks are named {task.name!r}")
        _REGISTRY[task.name] = RegisteredTask(run_config, task)
        return task

    return register


def task_names() -> list[str]:
    return sorted(_REGISTRY)


def task_named(name: str) -> RegisteredTask:
    if name not in _REGISTRY:
        raise KeyError(name)
    return _REGISTRY[name]
