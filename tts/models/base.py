"""What every acoustic model shares: the sizes both families use, the output, the dataset
statistics, and the interface synthesis, export and training call.

A model is registered by name (``tts.models.registry``) with its own config, a subclass of
``AcousticConfig``; what it can do is said by its class (``takes_pace``,
``trains_on_durations``, ``torch_free``), so code outside ``tts/models`` never asks which
model or decoder it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import nn


@dataclass
class AcousticConfig:
    """Sizes both model families use. ``kind`` names the model (``tts.models.registry``)."""

    kind: str = ""
    n_symbols: int = 0  # the symbol table's size: set by whoever builds the model
    n_mels: int = 80
    reduction: int = 1  # frames per decoder step
    symbol_dim: int = 512
    encoder_convs: int = 3
    encoder_kernel: int = 5
    encoder_dim: int = 512
    encoder_dropout: float = 0.5
    prenet_dim: int = 256
    prenet_dropout: float = 0.5
    prenet_dropout_at_inference: bool = True
    decoder_rnn_dim: int = 1024
    decoder_dropout: float = 0.1
    postnet_dim: int = 512
    postnet_convs: int = 5
    postnet_kernel: int = 5
    postnet_dropout: float = 0.5
    n_speakers: int = 1  # more than 1 adds a speaker embedding
    speaker_dim: int = 64
    variance: bool = True  # pitch and energy predictors
    variance_filters: int = 256
    variance_kernel: int = 3
    variance_dropout: float = 0.5

    @classmethod
    def resolve(cls, values: dict) -> type[AcousticConfig]:
        """The config class a ``model:`` section is for, by its ``kind`` (strict loading)."""
        from .registry import config_class, kind_of

        return config_class(kind_of(values))

    @classmethod
    def saved(cls, values: dict) -> AcousticConfig:
        """A config stored with a model, in any saved format (``tts.models.migrate``)."""
        from .migrate import saved_config

        return saved_config(values)

    def __post_init__(self) -> None:
        if self.encoder_dim % 2:
            raise ValueError("encoder_dim must be even (two LSTM directions)")


@dataclass
class AcousticOutput:
    """Teacher-forced outputs (training) or free-running outputs (``infer``).

    mel, mel_post: (B, n_mels, T); gate: (B, S) stop logits; alignment: (B, S, N);
    pitch, energy: the values used (normalized units), per symbol (B, N) or per frame (B, T);
    pitch_pred, energy_pred: the predictors' outputs (None without variance).
    For ``infer``: lengths (B,) frames produced, stopped_by_gate and reached_end (B,) bool.
    """

    mel: torch.Tensor
    mel_post: torch.Tensor
    gate: torch.Tensor
    alignment: torch.Tensor
    pitch: torch.Tensor | None = None
    energy: torch.Tensor | None = None
    pitch_pred: torch.Tensor | None = None
    energy_pred: torch.Tensor | None = None
    lengths: torch.Tensor | None = None
    stopped_by_gate: torch.Tensor | None = None
    reached_end: torch.Tensor | None = None
    extra: dict = field(default_factory=dict)


class DatasetStats:
    """Normalization statistics kept in buffers: log-F0 mean/std over voiced frames, energy
    mean/std, mel mean/std per band. A saved model needs nothing else to synthesize."""

    def register_stats(self, n_mels: int) -> None:
        self.register_buffer("variance_stats", torch.tensor([0.0, 1.0, 0.0, 1.0]))
        self.register_buffer("mel_mean", torch.zeros(n_mels))
        self.register_buffer("mel_std", torch.ones(n_mels))

    def set_stats(self, stats: dict) -> None:
        """Take normalization statistics from a prepared dataset's ``stats.json``."""
        self.variance_stats.copy_(
            torch.tensor(
                [stats["log_f0_mean"], stats["log_f0_std"], stats["energy_mean"], stats["energy_std"]]
            )
        )
        self.mel_mean.copy_(torch.tensor(stats["mel_mean"]))
        self.mel_std.copy_(torch.tensor(stats["mel_std"]))

    def stats(self) -> dict:
        """The statistics in the buffers, with the keys of ``stats.json``."""
        f0_mean, f0_std, e_mean, e_std = self.variance_stats.tolist()
        return {
            "log_f0_mean": f0_mean,
            "log_f0_std": f0_std,
            "energy_mean": e_mean,
            "energy_std": e_std,
            "mel_mean": self.mel_mean.tolist(),
            "mel_std": self.mel_std.tolist(),
        }

    @property
    def log_f0_std(self) -> float:
        return float(self.variance_stats[1])

    def denormalize(self, mel: torch.Tensor) -> torch.Tensor:
        """(B, n_mels, T) normalized → log-mel."""
        return mel * self.mel_std[:, None] + self.mel_mean[:, None]


class ExportUnsupported(ValueError):
    """A model (or a setting of it) that cannot be exported; the message says why."""


class AcousticModel(DatasetStats, nn.Module):
    """The interface of an acoustic model. ``forward`` trains; ``infer`` synthesizes.

    Capabilities (class attributes, also on the exported runner ``exported`` returns):
    ``takes_pace`` (``infer`` takes ``pace``), ``trains_on_durations`` (training needs the
    aligner's durations), ``torch_free`` (its ONNX export is the ``text``/``frames`` pair of
    ``tts.models.duration_steps``, which runs on onnxruntime and numpy alone).
    """

    config_class: ClassVar[type[AcousticConfig]] = AcousticConfig
    takes_pace: ClassVar[bool] = False
    trains_on_durations: ClassVar[bool] = False
    torch_free: ClassVar[bool] = False
    FRESH_MODULES: ClassVar[tuple[str, ...]] = ()  # fine-tuning may add these to older weights

    def infer(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor | None = None,
        speakers: torch.Tensor | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        **controls,
    ) -> AcousticOutput:
        """symbols (B, N) → log-mels; ``pitch_shift`` in semitones, ``energy_scale`` a factor."""
        raise NotImplementedError

    def graph_specs(self, batch: int = 2, n: int = 11, frames: int = 24) -> list:
        """The graphs an export holds (``core.graph_spec.GraphSpec``), with example inputs."""
        raise ExportUnsupported(f"{type(self).__name__} cannot be exported")

    @classmethod
    def exported(cls, graphs: dict, config: AcousticConfig, log_f0_std: float):
        """A runner over exported graphs (``name → graph(**arrays) → dict``) with this model's
        ``infer``, ``config`` and capabilities."""
        raise ExportUnsupported(f"{cls.__name__} has no exported runner")

    @classmethod
    def exportable(cls, config: AcousticConfig) -> str | None:
        """None when a model of this config exports; otherwise why not."""
        return None
