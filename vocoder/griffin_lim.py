"""Griffin-Lim: the baseline vocoder and the fallback (torchaudio).

Log-mel (as made by ``tts.data.features``) → linear magnitude by a non-negative
least-squares inverse of the mel filterbank → phase by Griffin-Lim iterations.
"""
from __future__ import annotations

import torch
import torchaudio

from tts.data.features import FeatureConfig


class GriffinLim(torch.nn.Module):
    """(batch, n_mels, frames) log-mel → (batch, samples) waveform; or unbatched (n_mels, frames)."""

    def __init__(self, config: FeatureConfig | None = None, n_iter: int = 32, power: float = 1.0):
        super().__init__()
        c = self.config = config or FeatureConfig()
        self.inverse_mel = torchaudio.transforms.InverseMelScale(
            n_stft=c.n_fft // 2 + 1, n_mels=c.n_mels, sample_rate=c.sample_rate, f_min=c.fmin, f_max=c.fmax,
            norm="slaney", mel_scale="slaney")
        self.griffin_lim = torchaudio.transforms.GriffinLim(
            n_fft=c.n_fft, n_iter=n_iter, win_length=c.win_length, hop_length=c.hop_length, power=1.0)
        self.power = power          # >1 sharpens the magnitudes before phase recovery

    MIN_FRAMES = 8          # the STFT's reflect padding needs a few frames

    @torch.no_grad()
    def forward(self, log_mel: torch.Tensor) -> torch.Tensor:
        frames = log_mel.shape[-1]
        if frames < self.MIN_FRAMES:
            pad = log_mel.new_full((*log_mel.shape[:-1], self.MIN_FRAMES - frames), float(log_mel.min()))
            log_mel = torch.cat([log_mel, pad], dim=-1)
        magnitude = self.inverse_mel(torch.exp(log_mel.float())).clamp_min(0.0)
        wave = self.griffin_lim(magnitude ** self.power)
        samples = frames * self.config.hop_length                 # as many samples as WaveGlow gives
        wave = torch.nn.functional.pad(wave, (0, max(0, samples - wave.shape[-1])))[..., :samples]
        return wave.clamp(-1.0, 1.0)
