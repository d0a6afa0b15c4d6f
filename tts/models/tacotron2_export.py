"""Tacotron2 as exported graphs, and synthesis from them.

The decoder runs until its stop token fires, a data-dependent loop, so the model is cut
into three graphs and the loop stays in Python (``tacotron2.free_run``, the code the
PyTorch model runs)::

    encoder       symbols (B, N) int64, lengths (B,) int64, pitch_shift () float,
                  energy_scale () float[, speakers (B,) int64]
                  → memory (B, N, E), processed (B, N, A)[, pitch, energy, pitch_pred, energy_pred (B, N)]
    decoder_step  frame (B, n_mels), prenet masks (B, P) ×2, memory, processed, mask (B, N) bool,
                  the ``DecoderState`` tensors → frames (B, n_mels·r), gate (B,), the new state
    postnet       mel (B, n_mels, T) normalized, lengths (B,) → log_mel, log_mel_post (B, n_mels, T)

Randomness (the prenet's dropout masks) comes in as inputs, so every backend given the same
draws gives the same output. ``lockstep`` measures how closely an export follows PyTorch
along a whole utterance.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from core.graph_spec import GraphSpec
from core.layers import length_mask
from core.pitch import semitones_to_pitch_shift

from .base import AcousticConfig, AcousticOutput
from .decoder_loop import DecoderState, free_run
from .layers import prenet_masks


class Tacotron2Graphs(nn.Module):
    """The three graphs as methods of one module (one TorchScript file)."""

    def __init__(self, model: nn.Module):
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


def graph_specs(model: nn.Module, batch: int = 2, n: int = 11, frames: int = 24) -> list[GraphSpec]:
    """The three graphs with example inputs of the given sizes."""
    c = model.config
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
    owner = Tacotron2Graphs(model).eval()
    post_in = {
        "mel": torch.randn(batch, c.n_mels, frames),
        "lengths": torch.tensor([frames] + [frames // 2] * (batch - 1)),
    }
    mel_axes = {0: "batch", 2: "frames"}
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
            {"mel": mel_axes, "lengths": {0: "batch"}, "log_mel": mel_axes, "log_mel_post": mel_axes},
        ),
    ]


def _tensors(out: dict) -> list[torch.Tensor]:
    return [torch.from_numpy(np.asarray(v)) for v in out.values()]


def decoder_step(graph, frame, masks, enc: dict, state) -> list[torch.Tensor]:
    """One step of an exported decoder: previous frame (B, n_mels), prenet masks, the
    encoder's outputs and the ``DecoderState`` tensors in order → frames, gate and the new
    state, fed by position whatever names the export gave the state."""
    names = graph.inputs[-len(state) :]
    feeds = {
        "frame": frame,
        "mask1": masks[0],
        "mask2": masks[1],
        **{k: enc[k] for k in ("memory", "processed", "mask")},
    }
    feeds.update(zip(names, state))
    return _tensors(graph(**{k: v.numpy() for k, v in feeds.items()}))


class ExportedTacotron2:
    """Tacotron2 synthesis from its exported graphs (``infer`` as ``Tacotron2.infer``)."""

    takes_pace = trains_on_durations = torch_free = False

    def __init__(self, graphs: dict, config: AcousticConfig, log_f0_std: float):
        self.graphs, self.config, self.log_f0_std = graphs, config, log_f0_std

    def encode(
        self, symbols, symbol_lengths, speakers=None, pitch_shift: float = 0.0, energy_scale: float = 1.0
    ):
        """As ``Tacotron2.encode`` (``pitch_shift`` in normalized log-F0 units)."""
        c = self.config
        if c.n_speakers > 1 and speakers is None:
            raise ValueError("this model has several speakers: pass speaker ids")
        feeds = {
            "symbols": symbols.long().numpy(),
            "lengths": symbol_lengths.long().numpy(),
            "pitch_shift": np.array(pitch_shift, dtype=np.float32),
            "energy_scale": np.array(energy_scale, dtype=np.float32),
        }
        if speakers is not None and c.n_speakers > 1:
            feeds["speakers"] = speakers.long().numpy()
        enc = dict.fromkeys(("pitch", "energy", "pitch_pred", "energy_pred"))
        enc.update({k: torch.from_numpy(v) for k, v in self.graphs["encoder"](**feeds).items()})
        enc["mask"] = length_mask(symbol_lengths, symbols.shape[1])
        return enc

    @torch.no_grad()
    def infer(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor | None = None,
        speakers: torch.Tensor | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        max_steps: int | None = None,
    ) -> AcousticOutput:
        c = self.config
        b, n = symbols.shape
        if symbol_lengths is None:
            symbol_lengths = torch.full((b,), n)
        shift = semitones_to_pitch_shift(pitch_shift, self.log_f0_std) if pitch_shift else 0.0
        enc = self.encode(symbols, symbol_lengths, speakers, shift, energy_scale)
        state = list(DecoderState.zeros(c, b, n).tensors())

        def step(frame, masks):
            frames, gate, *new = decoder_step(self.graphs["decoder_step"], frame, masks, enc, state)
            state[:] = new
            return frames, gate, DecoderState(*state).weights

        def postprocess(mel, lengths):
            return tuple(_tensors(self.graphs["postnet"](mel=mel.numpy(), lengths=lengths.numpy())))

        return free_run(step, postprocess, enc, symbol_lengths, c, max_steps)


@torch.no_grad()
def lockstep(
    model: nn.Module,
    exported: ExportedTacotron2,
    symbols: torch.Tensor,
    lengths: torch.Tensor,
    speakers: torch.Tensor | None = None,
    steps: int = 200,
) -> dict[str, float]:
    """Largest absolute difference of each graph's outputs from PyTorch's along a real
    decoding of ``symbols`` (B, N) of ``steps`` decoder steps at most (stop tokens ignored).

    Free-running decoding feeds each frame back in, so differences of one rounding step can
    grow over hundreds of steps in a model whose attention is not yet sharp; here the export
    gets the PyTorch run's state and previous frame at every step, and that is the number an
    export is held to (``benchmarks/deployment.py`` reports the free-running difference)."""
    c = model.config
    diff = lambda a, b: float((a.float() - b.float()).abs().max())
    enc = model.encode(symbols, lengths, speakers)
    got = exported.encode(symbols, lengths, speakers)
    worst = {"encoder": max(diff(enc[k], got[k]) for k in enc if got.get(k) is not None and k != "mask")}
    state = model.decoder.initial_state(enc["memory"])
    frame = enc["memory"].new_zeros(symbols.shape[0], c.n_mels)
    frames, worst["decoder_step"] = [], 0.0
    for _ in range(steps):
        masks = prenet_masks(symbols.shape[0], c, frame)
        before = state.tensors()
        f, g, _ = model.decoder_step(frame, masks, state, enc["memory"], enc["processed"], enc["mask"])
        out = decoder_step(exported.graphs["decoder_step"], frame, masks, enc, before)
        expected = [f, g] + list(state.tensors())
        worst["decoder_step"] = max(worst["decoder_step"], max(diff(a, b) for a, b in zip(expected, out)))
        frames.append(f)
        frame = f.view(-1, c.reduction, c.n_mels)[:, -1]
    mel = torch.stack(frames, 1).reshape(symbols.shape[0], -1, c.n_mels).transpose(1, 2)
    mel_lengths = torch.full((symbols.shape[0],), mel.shape[2])
    expected = model.postprocess(mel, mel_lengths)
    got = _tensors(exported.graphs["postnet"](mel=mel.numpy(), lengths=mel_lengths.numpy()))
    worst["postnet"] = max(diff(a, b) for a, b in zip(expected, got))
    return worst
