"""The interface of every duration-informed acoustic model: subclasses give ``encode_text``
and ``frames`` (the two graphs of ``tts.models.duration_steps``); synthesis, export and the
exported runner are written here once, over those two methods.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from core.graph_spec import GraphSpec, TorchGraph
from core.layers import length_mask

from . import duration_steps
from .base import AcousticConfig, AcousticModel, AcousticOutput, ExportUnsupported


class DurationalModel(AcousticModel):
    """A model that reads text as symbols with durations:

    ``encode_text(symbols (B, N), lengths (B,), speakers (B,) | None) → memory (B, N, E),
    log_durations (B, N)``; ``frames(memory, durations (B, N), pitch_shift (), energy_scale ())
    → duration_steps.FRAME_OUTPUTS`` (log-mels, not normalized).
    """

    takes_pace = True
    trains_on_durations = True
    torch_free = True

    def encode_text(self, symbols, symbol_lengths, speakers=None) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def frames(self, memory, durations, pitch_shift, energy_scale) -> tuple:
        raise NotImplementedError

    @torch.no_grad()
    def infer(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor | None = None,
        speakers: torch.Tensor | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        max_steps: int | None = None,
        pace: float = 1.0,
    ) -> AcousticOutput:
        """Synthesis from text: predicted durations (divided by ``pace``), pitch (shifted by
        ``pitch_shift`` semitones) and energy (times ``energy_scale``) → log-mels
        (B, n_mels, T), lengths (B,), and as alignment the one-hot symbol of each frame
        (B, T, N); ``extra["durations"]`` (B, N)."""
        steps, device = duration_steps, symbols.device
        text = TorchGraph(self.encode_text, steps.TEXT_INPUTS, steps.TEXT_OUTPUTS, device)
        frames = TorchGraph(self.frames, steps.FRAME_INPUTS, steps.FRAME_OUTPUTS, device)
        controls = (pitch_shift, energy_scale, pace)
        return infer_through(
            text, frames, self.config, self.log_f0_std, symbols, symbol_lengths, speakers, *controls
        )

    def graph_specs(self, batch: int = 2, n: int = 11, frames: int = 24) -> list[GraphSpec]:
        return duration_graph_specs(self, batch, n)

    @classmethod
    def exported(cls, graphs: dict, config: AcousticConfig, log_f0_std: float):
        return ExportedDurationModel(graphs, config, log_f0_std, cls)


def infer_through(
    text, frames, config, log_f0_std, symbols, symbol_lengths, speakers, pitch_shift, energy_scale, pace
) -> AcousticOutput:
    """``infer`` over a ``text`` and a ``frames`` graph of any backend: ``duration_steps.run``
    on the symbols (B, N), its outputs as tensors on the symbols' device."""
    if symbol_lengths is None:
        symbol_lengths = torch.full((symbols.shape[0],), symbols.shape[1], device=symbols.device)
    if config.n_speakers > 1 and speakers is None:
        raise ValueError("this model has several speakers: pass speaker ids")
    speakers = speakers.cpu().numpy() if config.n_speakers > 1 else None
    out = duration_steps.run(
        text,
        frames,
        symbols.cpu().numpy(),
        symbol_lengths.cpu().numpy(),
        speakers,
        pitch_shift,
        energy_scale,
        pace,
        log_f0_std,
    )
    return output_of_steps(
        {k: torch.from_numpy(np.asarray(v)).to(symbols.device) for k, v in out.items()}, symbols.shape[1]
    )


def output_of_steps(out: dict[str, torch.Tensor], n_symbols: int) -> AcousticOutput:
    """``duration_steps.run``'s outputs as tensors → an ``AcousticOutput`` whose alignment is
    the one-hot symbol of each frame (B, T, N) and ``extra["durations"]`` (B, N)."""
    mel = out["log_mel"]
    mask = length_mask(out["lengths"], mel.shape[2])
    alignment = F.one_hot(out["index"].long(), n_symbols).to(mel.dtype) * mask[:, :, None]
    done = torch.ones(mel.shape[0], dtype=torch.bool, device=mel.device)
    return AcousticOutput(
        mel,
        out["log_mel_post"],
        mel.new_zeros(mel.shape[0], 0),
        alignment,
        out["pitch"],
        out["energy"],
        out["pitch_pred"],
        out["energy_pred"],
        out["lengths"],
        done,
        done,
        extra={"durations": out["durations"]},
    )


class ExportedDurationModel:
    """A duration-informed model's ``text`` and ``frames`` graphs (any backend) with its
    ``infer``: the same ``duration_steps.run`` as PyTorch."""

    def __init__(self, graphs: dict, config: AcousticConfig, log_f0_std: float, model_class: type):
        self.graphs, self.config, self.log_f0_std = graphs, config, log_f0_std
        self.takes_pace, self.torch_free = model_class.takes_pace, model_class.torch_free

    @torch.no_grad()
    def infer(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor | None = None,
        speakers: torch.Tensor | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        max_steps: int | None = None,
        pace: float = 1.0,
    ) -> AcousticOutput:
        text, frames = self.graphs["text"], self.graphs["frames"]
        controls = (pitch_shift, energy_scale, pace)
        return infer_through(
            text, frames, self.config, self.log_f0_std, symbols, symbol_lengths, speakers, *controls
        )


class DurationGraphs(nn.Module):
    """The two graphs of ``duration_steps`` as methods of one module (one TorchScript file)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def text(self, symbols, lengths, speakers=None):
        return self.model.encode_text(symbols, lengths, speakers)

    def frames(self, memory, durations, pitch_shift, energy_scale):
        return self.model.frames(memory, durations, pitch_shift, energy_scale)


def duration_graph_specs(model, batch: int = 2, n: int = 11) -> list[GraphSpec]:
    """The ``text`` and ``frames`` graphs of any model with ``encode_text`` and ``frames``
    (``duration_steps``'s contract), with example inputs."""
    reason = model.exportable(model.config)
    if reason:
        raise ExportUnsupported(reason)
    c = model.config
    model = model.eval()
    lengths = torch.tensor([n] + [max(2, n - 3)] * (batch - 1))
    real = torch.arange(n)[None] < lengths[:, None]
    symbols = torch.randint(1, c.n_symbols, (batch, n)) * real
    text_in = {"symbols": symbols, "lengths": lengths}
    if getattr(model, "speaker_embedding", None) is not None:
        text_in["speakers"] = torch.zeros(batch, dtype=torch.long)
    with torch.no_grad():
        memory, _ = model.encode_text(symbols, lengths, text_in.get("speakers"))
    frames_in = {
        "memory": memory,
        "durations": torch.randint(0, 5, (batch, n)) * real,
        "pitch_shift": torch.tensor(0.0),
        "energy_scale": torch.tensor(1.0),
    }
    owner = DurationGraphs(model).eval()
    bn, bt = {0: "batch", 1: "symbols"}, {0: "batch", 1: "frames"}
    outputs = duration_steps.FRAME_OUTPUTS
    frame_axes = {
        "log_mel": {0: "batch", 2: "frames"},
        "log_mel_post": {0: "batch", 2: "frames"},
        "lengths": {0: "batch"},
        **{k: bt for k in outputs[3:]},
    }
    text_axes = {
        "symbols": bn,
        "lengths": {0: "batch"},
        "speakers": {0: "batch"},
        "memory": bn,
        "log_durations": bn,
    }
    return [
        GraphSpec("text", owner, text_in, duration_steps.TEXT_OUTPUTS, text_axes),
        GraphSpec("frames", owner, frames_in, outputs, {"memory": bn, "durations": bn, **frame_axes}),
    ]
