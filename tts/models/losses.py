"""Acoustic model losses: every term separately, so each can be logged.

Tacotron2 (``tacotron2_loss``):

    mel_mse, mel_l1            MSE + L1 of the decoder output against the target mel
    post_mse, post_l1          the same after the postnet
    gate                       BCE of the stop logits (1 from the last real step on)
    pitch, energy              MSE of the predictors against phone-level targets
    guided_attention           Tachibana et al. (2017): attention far from the diagonal
                               costs 1 - exp(-(n/N - s/S)^2 / (2 g^2)), summed over symbols
                               and averaged over steps; off when its weight is 0
Duration-informed models (``duration_model_loss``): the four mel terms, ``duration`` (MSE
of log(1 + frames) per symbol), and frame-level ``pitch`` (against the interpolated
log-F0 contour) and ``energy``.
Mels are compared in normalized units (per-band mean and std of the training set).
All terms are averaged over real (unpadded) positions only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

from core.layers import length_mask

from .base import AcousticOutput


@dataclass
class LossWeights:
    mel_mse: float = 1.0
    mel_l1: float = 1.0
    gate: float = 1.0
    pitch: float = 0.1
    energy: float = 0.1
    guided_attention: float = 1.0  # 0 switches it off
    guided_sigma: float = 0.2
    guided_decay_steps: int = 0  # >0: weight halves every this many steps
    duration: float = 1.0  # duration-informed models: MSE of log(1 + frames)


def _masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    mask = mask.to(x.dtype).expand_as(x)
    return (x * mask).sum() / mask.sum().clamp_min(1.0)


def mel_terms(out: AcousticOutput, mels: torch.Tensor, mel_lengths: torch.Tensor) -> dict[str, torch.Tensor]:
    """MSE and L1 of the mels before and after the postnet, over real frames."""
    fm = length_mask(mel_lengths, mels.shape[2])[:, None, :]
    return {
        "mel_mse": _masked_mean(F.mse_loss(out.mel, mels, reduction="none"), fm),
        "mel_l1": _masked_mean(F.l1_loss(out.mel, mels, reduction="none"), fm),
        "post_mse": _masked_mean(F.mse_loss(out.mel_post, mels, reduction="none"), fm),
        "post_l1": _masked_mean(F.l1_loss(out.mel_post, mels, reduction="none"), fm),
    }


def guided_attention_loss(
    alignment: torch.Tensor, symbol_lengths: torch.Tensor, step_lengths: torch.Tensor, sigma: float
) -> torch.Tensor:
    """alignment (B, S, N) → the attention mass off the diagonal, per decoder step, in [0, 1]."""
    b, s, n = alignment.shape
    steps = torch.arange(s, device=alignment.device)[None, :, None] / step_lengths[:, None, None].clamp_min(1)
    syms = torch.arange(n, device=alignment.device)[None, None, :] / symbol_lengths[:, None, None].clamp_min(
        1
    )
    penalty = 1.0 - torch.exp(-((syms - steps) ** 2) / (2 * sigma**2))
    penalty = penalty * length_mask(symbol_lengths, n)[:, None, :]
    per_step = (alignment * penalty).sum(-1)  # (B, S)
    return _masked_mean(per_step, length_mask(step_lengths, s))


def tacotron2_loss(
    out: AcousticOutput,
    mels: torch.Tensor,
    mel_lengths: torch.Tensor,
    symbol_lengths: torch.Tensor,
    reduction: int,
    weights: LossWeights,
    pitch_target: torch.Tensor | None = None,
    energy_target: torch.Tensor | None = None,
    step: int = 0,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Total loss and its terms. mels (B, n_mels, T); targets (B, N) in normalized units."""
    terms = mel_terms(out, mels, mel_lengths)
    step_lengths = torch.div(mel_lengths + reduction - 1, reduction, rounding_mode="floor")
    steps = out.gate.shape[1]
    gate_target = (torch.arange(steps, device=mels.device)[None, :] >= (step_lengths - 1)[:, None]).to(
        out.gate.dtype
    )
    # every step of an item counts; padded steps beyond the item repeat "stop"
    terms["gate"] = F.binary_cross_entropy_with_logits(out.gate, gate_target)
    total = (
        weights.mel_mse * (terms["mel_mse"] + terms["post_mse"])
        + weights.mel_l1 * (terms["mel_l1"] + terms["post_l1"])
        + weights.gate * terms["gate"]
    )
    symbol_mask = length_mask(symbol_lengths, out.alignment.shape[2])
    if out.pitch_pred is not None and pitch_target is not None:
        terms["pitch"] = _masked_mean((out.pitch_pred - pitch_target) ** 2, symbol_mask)
        terms["energy"] = _masked_mean((out.energy_pred - energy_target) ** 2, symbol_mask)
        total = total + weights.pitch * terms["pitch"] + weights.energy * terms["energy"]
    if weights.guided_attention > 0:
        w = weights.guided_attention
        if weights.guided_decay_steps > 0:
            w = w * 0.5 ** (step / weights.guided_decay_steps)
        terms["guided_attention"] = guided_attention_loss(
            out.alignment, symbol_lengths, step_lengths, weights.guided_sigma
        )
        total = total + w * terms["guided_attention"]
    return total, {k: float(v.detach()) for k, v in terms.items()}


def duration_model_loss(
    out: AcousticOutput, batch: dict, weights: LossWeights
) -> tuple[torch.Tensor, dict[str, float]]:
    """Total loss and its terms for ``DurationTacotron2``; ``batch`` as ``collate`` makes it
    (mel, mel_lengths, symbol_lengths, durations, contour, energy; ``duration_target`` when
    the frames were cropped: ``tts.training.crops``)."""
    mels, mel_lengths = batch["mel"], batch["mel_lengths"]
    frame_mask = length_mask(mel_lengths, mels.shape[2])
    durations = batch.get("duration_target", batch["durations"])  # all of them, cropped or not
    symbol_mask = length_mask(batch["symbol_lengths"], durations.shape[1])
    terms = {
        **mel_terms(out, mels, mel_lengths),
        "duration": _masked_mean(
            (out.extra["log_durations"] - torch.log1p(durations.float())) ** 2, symbol_mask
        ),
        "pitch": _masked_mean((out.pitch_pred - batch["contour"]) ** 2, frame_mask),
        "energy": _masked_mean((out.energy_pred - batch["energy"]) ** 2, frame_mask),
    }
    total = (
        weights.mel_mse * (terms["mel_mse"] + terms["post_mse"])
        + weights.mel_l1 * (terms["mel_l1"] + terms["post_l1"])
        + weights.duration * terms["duration"]
        + weights.pitch * terms["pitch"]
        + weights.energy * terms["energy"]
    )
    return total, {k: float(v.detach()) for k, v in terms.items()}
