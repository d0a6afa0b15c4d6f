"""The trained models cut into graphs that TorchScript and ONNX can hold.

Synthesis has a data-dependent loop (the decoder runs until its stop token fires), so the
acoustic model is exported as three graphs and the loop stays in Python
(``tts.models.tacotron2.free_run``, the same code the PyTorch path runs)::

    encoder       symbols (B, N) int64, lengths (B,) int64, pitch_shift () float,
                  energy_scale () float[, speakers (B,) int64]
                  → memory (B, N, E), processed (B, N, A)[, pitch, energy, pitch_pred, energy_pred (B, N)]
    decoder_step  frame (B, n_mels), prenet masks (B, P) ×2, memory, processed, mask (B, N) bool,
                  state: ah ac (B, attention_rnn_dim), dh dc (B, decoder_rnn_dim), weights cum (B, N),
                  context (B, E) → frames (B, n_mels·r), gate (B,), the new state
    postnet       mel (B, n_mels, T) normalized, lengths (B,) → log_mel, log_mel_post (B, n_mels, T)
    vocoder       mel (B, n_mels, F), z (B, n_group, F·hop / n_group) → audio (B, F·hop)

A duration-informed voice (parallel decoder) has two acoustic graphs instead, ``text``
(symbols → memory, log-durations) and ``frames`` (memory, durations, pitch shift, energy
scale → log-mels, lengths, the symbol of each frame, pitch and energy); see
``DurationGraphs``. Every graph has dynamic batch and length axes. Randomness (prenet dropout, WaveGlow's z)
comes in as inputs, so any backend given the same draws gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from tts.models.tacotron2 import DecoderState, Tacotron2
from vocoder.waveglow import WaveGlow


@dataclass
class GraphSpec:
    """What one exported graph takes and gives, in order, with its dynamic axes."""

    name: str
    owner: nn.Module  # the module whose method ``name`` this graph is
    example: dict[str, torch.Tensor]
    outputs: list[str]
    dynamic_axes: dict[str, dict[int, str]]

    @property
    def inputs(self) -> list[str]:
        return list(self.example)

    @property
    def module(self) -> nn.Module:
        return Method(self.owner, self.name).eval()


class Method(nn.Module):
    """A module whose ``forward`` is one method of another (what the ONNX exporter takes)."""

    def __init__(self, owner: nn.Module, name: str):
        super().__init__()
        self.owner, self.method = owner, name

    def forward(self, *args):
        return getattr(self.owner, self.method)(*args)


class AcousticGraphs(nn.Module):
    """The acoustic model's three graphs as methods of one module (one TorchScript file)."""

    def __init__(self, model: Tacotron2):
        super().__init__()
        self.model = model

    def encoder(self, symbols, lengths, pitch_shift, energy_scale, speakers=None):
        enc = self.model.encode(symbols, lengths, speakers, pitch_shift, energy_scale)
        out = (enc["memory"], enc["processed"])
        if self.model.config.variance:
            out += (enc["pitch"], enc["energy"], enc["pitch_pred"], enc["energy_pred"])
        return out

    def decoder_step(self, frame, mask1, mask2, memory, processed, mask, *state):
        """… and the ``DecoderState`` tensors in order → frames, gate and the new state."""
        state = DecoderState(*state)
        frames, gate, _ = self.model.decoder_step(frame, (mask1, mask2), state, memory, processed, mask)
        return (frames, gate) + state.tensors()

    def postnet(self, mel, lengths):
        return self.model.postprocess(mel, lengths)


class VocoderGraphs(nn.Module):
    """WaveGlow's reverse pass with the 1x1 convolutions' inverses computed once (ONNX has no
    matrix inverse) and z as an input."""

    def __init__(self, model: WaveGlow):
        super().__init__()
        self.model = model
        for k, conv in enumerate(model.convinv):
            self.register_buffer(f"inverse{k}", torch.linalg.inv(conv.weight.detach().float()))

    def vocoder(self, mel, z):
        inverses = [getattr(self, f"inverse{k}") for k in range(len(self.model.convinv))]
        return self.model.reverse(mel, z, inverses).clamp(-1.0, 1.0)


def acoustic_graphs(model: Tacotron2, batch: int = 2, n: int = 11, frames: int = 24) -> list[GraphSpec]:
    """The acoustic model's graphs with example inputs of the given sizes: Tacotron2's
    three, or a duration-informed model's two (``duration_graphs``)."""
    c = model.config
    if c.decoder != "attention":
        return duration_graphs(model, batch, n)
    model = model.eval()
    lengths = torch.tensor([n] + [max(2, n - 3)] * (batch - 1))
    symbols = torch.randint(1, c.n_symbols, (batch, n)) * (torch.arange(n)[None] < lengths[:, None])
    enc_in = {
        "symbols": symbols,
        "lengths": lengths,
        "pitch_shift": torch.tensor(0.0),
        "energy_scale": torch.tensor(1.0),
    }
    if model.speaker_embedding is not None:
        enc_in["speakers"] = torch.zeros(batch, dtype=torch.long)
    enc_out = ["memory", "processed"] + (
        ["pitch", "energy", "pitch_pred", "energy_pred"] if c.variance else []
    )
    bn = {0: "batch", 1: "symbols"}
    with torch.no_grad():
        enc = model.encode(symbols, lengths, enc_in.get("speakers"))
    state = model.decoder.initial_state(enc["memory"])
    step_in = {
        "frame": torch.randn(batch, c.n_mels),
        "mask1": torch.ones(batch, c.prenet_dim),
        "mask2": torch.ones(batch, c.prenet_dim),
        "memory": enc["memory"],
        "processed": enc["processed"],
        "mask": enc["mask"],
        **{k: torch.rand_like(v) * 0.1 for k, v in zip(DecoderState.names(), state.tensors())},
    }
    per_symbol = ("memory", "processed", "mask", "weights", "cumulative_weights")
    step_axes = {k: ({0: "batch"} if k not in per_symbol else bn) for k in step_in}
    step_out = ["frames", "gate"] + [f"{k}_out" for k in DecoderState.names()]
    step_axes.update(
        {k: ({0: "batch"} if k.removesuffix("_out") not in per_symbol else bn) for k in step_out}
    )
    owner = AcousticGraphs(model).eval()
    post_in = {
        "mel": torch.randn(batch, c.n_mels, frames),
        "lengths": torch.tensor([frames] + [frames // 2] * (batch - 1)),
    }
    return [
        GraphSpec(
            "encoder",
            owner,
            enc_in,
            enc_out,
            {"symbols": bn, "lengths": {0: "batch"}, "speakers": {0: "batch"}, **{k: bn for k in enc_out}},
        ),
        GraphSpec("decoder_step", owner, step_in, step_out, step_axes),
        GraphSpec(
            "postnet",
            owner,
            post_in,
            ["log_mel", "log_mel_post"],
            {
                "mel": {0: "batch", 2: "frames"},
                "lengths": {0: "batch"},
                "log_mel": {0: "batch", 2: "frames"},
                "log_mel_post": {0: "batch", 2: "frames"},
            },
        ),
    ]


class DurationGraphs(nn.Module):
    """A duration-informed model's two graphs (``tts.models.duration_tacotron``): text →
    memory and durations, then memory + rounded durations → log-mels. Rounding the
    durations stays in Python (``duration_tacotron.synthesize``), shared with PyTorch."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def text(self, symbols, lengths, speakers=None):
        return self.model.encode_text(symbols, lengths, speakers)

    def frames(self, memory, durations, pitch_shift, energy_scale):
        return self.model.frames(memory, durations, pitch_shift, energy_scale)


FRAME_OUTPUTS = [
    "log_mel",
    "log_mel_post",
    "lengths",
    "index",
    "pitch",
    "energy",
    "pitch_pred",
    "energy_pred",
]


def duration_graphs(model: nn.Module, batch: int = 2, n: int = 11) -> list[GraphSpec]:
    """The duration-informed (parallel decoder) model's two graphs with example inputs."""
    c = model.config
    if c.decoder != "parallel":
        raise ValueError(
            f"the {c.decoder} decoder cannot be exported yet (its frame loop); parallel voices export"
        )
    model = model.eval()
    lengths = torch.tensor([n] + [max(2, n - 3)] * (batch - 1))
    real = torch.arange(n)[None] < lengths[:, None]
    symbols = torch.randint(1, c.n_symbols, (batch, n)) * real
    text_in = {"symbols": symbols, "lengths": lengths}
    if model.speaker_embedding is not None:
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
    frame_axes = {
        "log_mel": {0: "batch", 2: "frames"},
        "log_mel_post": {0: "batch", 2: "frames"},
        "lengths": {0: "batch"},
        **{k: bt for k in FRAME_OUTPUTS[3:]},
    }
    return [
        GraphSpec(
            "text",
            owner,
            text_in,
            ["memory", "log_durations"],
            {
                "symbols": bn,
                "lengths": {0: "batch"},
                "speakers": {0: "batch"},
                "memory": bn,
                "log_durations": bn,
            },
        ),
        GraphSpec("frames", owner, frames_in, FRAME_OUTPUTS, {"memory": bn, "durations": bn, **frame_axes}),
    ]


def vocoder_graph(model: WaveGlow, batch: int = 2, frames: int = 12) -> GraphSpec:
    c = model.config
    mel = torch.randn(batch, c.n_mels, frames) - 5.0
    z = torch.randn(batch, c.n_group, frames * c.hop_length // c.n_group) * 0.6
    return GraphSpec(
        "vocoder",
        VocoderGraphs(model).eval(),
        {"mel": mel, "z": z},
        ["audio"],
        {
            "mel": {0: "batch", 2: "frames"},
            "z": {0: "batch", 2: "steps"},
            "audio": {0: "batch", 1: "samples"},
        },
    )
