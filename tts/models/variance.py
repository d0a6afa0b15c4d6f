"""Pitch and energy: FastSpeech2-style predictors over encoder outputs, and phone-level
targets taken from frame-level features through an attention alignment.

Values are per input symbol and normalized with the dataset statistics: pitch as
``(log F0 - mean) / std`` over voiced frames, energy as ``(energy - mean) / std``. The
value (ground truth in training, predicted at synthesis, shifted or scaled on request) is
projected by a 1-D convolution (as in FastPitch) and added to the encoder outputs.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class VariancePredictor(nn.Module):
    """(batch, channels, symbols) encoder outputs → (batch, symbols) one value per symbol.

    Two blocks of Conv1d → ReLU → LayerNorm → dropout, then a linear layer; padded
    positions are zeroed between layers and in the output.
    """

    def __init__(self, in_dim: int, filters: int, kernel: int, dropout: float):
        super().__init__()
        self.convs = nn.ModuleList(
            [
                nn.Conv1d(in_dim, filters, kernel, padding=kernel // 2),
                nn.Conv1d(filters, filters, kernel, padding=kernel // 2),
            ]
        )
        self.norms = nn.ModuleList([nn.LayerNorm(filters), nn.LayerNorm(filters)])
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(filters, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask[:, None, :].to(x.dtype)
        x = x * m
        for conv, norm in zip(self.convs, self.norms):
            x = torch.relu(conv(x))
            x = self.dropout(norm(x.transpose(1, 2)).transpose(1, 2)) * m
        return self.out(x.transpose(1, 2)).squeeze(-1) * mask


class VarianceEmbedding(nn.Module):
    """(batch, symbols) values → (batch, dim, symbols) additions to the encoder outputs."""

    def __init__(self, dim: int, kernel: int = 3):
        super().__init__()
        self.proj = nn.Conv1d(1, dim, kernel, padding=kernel // 2)

    def forward(self, values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.proj((values * mask)[:, None, :]) * mask[:, None, :].to(values.dtype)


def phone_averages(
    alignment: torch.Tensor,
    frame_values: torch.Tensor,
    frame_weight: torch.Tensor,
    reduction: int = 1,
    fallback: float = 0.0,
) -> torch.Tensor:
    """Average frame-level values over the frames each symbol is aligned to.

    Args:
        alignment: (batch, steps, symbols) attention weights; each decoder step covers
            ``reduction`` frames.
        frame_values: (batch, frames) e.g. normalized log-F0; frames = steps * reduction
            (shorter inputs are padded).
        frame_weight: (batch, frames) weight of each frame (voicing for pitch, the frame
            mask for energy); padded frames must weigh 0.
        fallback: value for a symbol that receives no weight (an unvoiced consonant).
    Returns:
        (batch, symbols) weighted means.
    """
    b, steps, _ = alignment.shape
    frames = steps * reduction
    pad = frames - frame_values.shape[1]
    if pad > 0:
        frame_values = nn.functional.pad(frame_values, (0, pad))
        frame_weight = nn.functional.pad(frame_weight, (0, pad))
    frame_values, frame_weight = frame_values[:, :frames], frame_weight[:, :frames]
    a = alignment.repeat_interleave(reduction, dim=1)  # (b, frames, symbols)
    weights = a * frame_weight[:, :, None]
    total = weights.sum(1)
    summed = torch.einsum("bfs,bf->bs", weights, frame_values)
    return torch.where(total > 1e-6, summed / total.clamp_min(1e-6), torch.full_like(total, fallback))


class HarmonicComb(nn.Module):
    """(B, T) frame F0 in Hz → (B, T, dim): the log-mel spectrum of a harmonic comb at each
    frame's F0 (von Mises peaks at every multiple of it), projected to ``dim`` by a layer that
    starts at zero. A source-filter hint: the decoder is told where the harmonics fall in the
    mel bins rather than having to learn that mapping from a scalar pitch, so a shifted pitch
    moves them. The mel filterbank is the features' default one (22.05 kHz, 1024-point FFT,
    slaney, 0–8 kHz), rebuilt at load (not stored)."""

    SHARPNESS = 4.0  # von Mises concentration: peaks about a tenth of F0 wide

    def __init__(self, n_mels: int, dim: int):
        super().__init__()
        import torchaudio

        from core.features import FeatureConfig

        f = FeatureConfig()
        fb = torchaudio.functional.melscale_fbanks(
            f.n_fft // 2 + 1, f.fmin, f.fmax, n_mels, f.sample_rate, norm="slaney", mel_scale="slaney"
        )
        self.register_buffer("filterbank", fb, persistent=False)  # (bins, n_mels)
        self.register_buffer(
            "freqs", torch.linspace(0, f.sample_rate / 2, f.n_fft // 2 + 1), persistent=False
        )
        self.proj = nn.Linear(n_mels, dim)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def spectrum(self, f0: torch.Tensor) -> torch.Tensor:
        """(B, T) Hz → (B, T, n_mels) log-mel of the comb, zero-mean over the mel bins."""
        phase = 2 * math.pi * self.freqs / f0.clamp_min(20.0)[..., None]  # (B, T, bins)
        comb = torch.exp(self.SHARPNESS * (torch.cos(phase) - 1.0))
        mel = torch.log(comb @ self.filterbank + 1e-4)
        return mel - mel.mean(-1, keepdim=True)

    def forward(self, f0: torch.Tensor, fmask: torch.Tensor) -> torch.Tensor:
        return self.proj(self.spectrum(f0)) * fmask[..., None]
