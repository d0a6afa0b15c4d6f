"""Tacotron2's decoder loop, shared by every backend (PyTorch, TorchScript, ONNX): the state
carried between steps and the loop that runs until each item's stop token fires."""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch

from .base import AcousticConfig, AcousticOutput
from .layers import prenet_masks


@dataclass
class DecoderState:
    """Tacotron2's decoder state between steps, for B utterances of N symbols. Exports take
    and return these tensors in this order (``tensors``)."""

    attention_hidden: torch.Tensor  # (B, attention_rnn_dim) the attention LSTM
    attention_cell: torch.Tensor  # (B, attention_rnn_dim)
    decoder_hidden: torch.Tensor  # (B, decoder_rnn_dim) the decoder LSTM
    decoder_cell: torch.Tensor  # (B, decoder_rnn_dim)
    weights: torch.Tensor  # (B, N) attention weights of the last step
    cumulative_weights: torch.Tensor  # (B, N) their sum over the steps so far
    context: torch.Tensor  # (B, E) the attended memory of the last step

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def zeros(
        cls, c: AcousticConfig, batch: int, symbols: int, like: torch.Tensor | None = None
    ) -> DecoderState:
        """The state before the first step, for ``batch`` utterances of ``symbols`` symbols."""
        z = (lambda *shape: like.new_zeros(*shape)) if like is not None else torch.zeros
        a, d = c.attention_rnn_dim, c.decoder_rnn_dim
        return cls(
            z(batch, a),
            z(batch, a),
            z(batch, d),
            z(batch, d),
            z(batch, symbols),
            z(batch, symbols),
            z(batch, c.encoder_dim),
        )

    def tensors(self) -> tuple[torch.Tensor, ...]:
        return tuple(getattr(self, name) for name in self.names())


def free_run(
    step,
    postprocess,
    enc: dict,
    symbol_lengths: torch.Tensor,
    c: AcousticConfig,
    max_steps: int | None = None,
) -> AcousticOutput:
    """The decoder loop of synthesis, shared by every backend (PyTorch, TorchScript, ONNX).

    ``step(frame (B, n_mels), masks) → (frames (B, n_mels * r), stop logit (B,), weights (B, N))``
    keeps its own state; ``postprocess(mel, lengths) → (mel, mel_post)`` log-mels; ``enc``
    is what ``Tacotron2.encode`` returns. Each item stops at its stop token or its length guard.
    """
    memory = enc["memory"]
    b = memory.shape[0]
    guard = torch.clamp(
        torch.ceil(symbol_lengths.float() * c.max_frames_per_symbol / c.reduction).long(),
        max=c.max_decoder_steps if max_steps is None else max_steps,
    )
    frame = memory.new_zeros(b, c.n_mels)
    stop_step = torch.full((b,), -1, dtype=torch.long, device=memory.device)
    by_gate = torch.zeros(b, dtype=torch.bool, device=memory.device)
    frames, gates, weights = [], [], []
    for i in range(int(guard.max())):
        f, g, w = step(frame, prenet_masks(b, c, memory))
        frames.append(f)
        gates.append(g)
        weights.append(w)
        frame = f.view(b, c.reduction, c.n_mels)[:, -1]
        running = stop_step < 0
        fired = running & (torch.sigmoid(g) > c.gate_threshold)
        by_gate |= fired
        stop_step[fired | (running & (i + 1 >= guard))] = i + 1
        if (stop_step >= 0).all():
            break
    steps = len(frames)
    mel = torch.stack(frames, 1).reshape(b, steps * c.reduction, c.n_mels).transpose(1, 2)
    lengths = stop_step.clamp(min=1) * c.reduction
    mel, post = postprocess(mel, lengths)
    alignment = torch.stack(weights, 1)
    reached = torch.stack(
        [reached_end(alignment[i, : stop_step[i].clamp(min=1)], int(symbol_lengths[i])) for i in range(b)]
    )
    return AcousticOutput(
        mel,
        post,
        torch.stack(gates, 1),
        alignment,
        enc["pitch"],
        enc["energy"],
        enc["pitch_pred"],
        enc["energy_pred"],
        lengths,
        by_gate,
        reached,
    )


def reached_end(alignment: torch.Tensor, n_symbols: int, tail: int = 3) -> torch.Tensor:
    """Whether attention (S, N) got to the last symbols: in the final steps, the most
    attended symbol is among the last ``tail`` (the closing break symbols included)."""
    last = alignment[-max(1, min(3, alignment.shape[0])) :, :n_symbols].argmax(-1)
    return (last >= n_symbols - tail).any()
