"""The recognizer's front end: 16 kHz log-mel (default) or MFCC with energy and deltas.

Seed defaults: 25 ms frames (400 samples), 10 ms hop (160), n_fft 512, Hamming window,
64 mel bands. ``kind="mfcc"``: 13 cepstra + log energy, with first and second deltas
(42 values a frame).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torchaudio


@dataclass
class AsrFeatureConfig:
    sample_rate: int = 16000
    win_length: int = 400
    hop_length: int = 160
    n_fft: int = 512
    n_mels: int = 64
    fmin: float = 0.0
    fmax: float = 8000.0
    kind: str = "logmel"  # "logmel" or "mfcc"
    n_mfcc: int = 13
    log_floor: float = 1e-6

    def __post_init__(self) -> None:
        if self.kind not in ("logmel", "mfcc"):
            raise ValueError(f"kind must be 'logmel' or 'mfcc', not {self.kind!r}")

    @property
    def dim(self) -> int:
        return self.n_mels if self.kind == "logmel" else 3 * (self.n_mfcc + 1)


class AsrFeatures(torch.nn.Module):
    """(batch, samples) or (samples,) waveform at 16 kHz → (…, dim, frames) features."""

    def __init__(self, config: AsrFeatureConfig | None = None):
        super().__init__()
        self.config = c = config or AsrFeatureConfig()
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=c.sample_rate,
            n_fft=c.n_fft,
            win_length=c.win_length,
            hop_length=c.hop_length,
            f_min=c.fmin,
            f_max=c.fmax,
            n_mels=c.n_mels,
            window_fn=torch.hamming_window,
            power=2.0,
        )
        self.deltas = torchaudio.transforms.ComputeDeltas()

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        c = self.config
        log_mel = torch.log(self.mel(wave) + c.log_floor)  # (…, n_mels, T)
        if c.kind == "logmel":
            return log_mel
        dct = torchaudio.functional.create_dct(c.n_mfcc, c.n_mels, norm="ortho").to(log_mel)
        mfcc = torch.einsum("...mt,mk->...kt", log_mel, dct)  # (…, n_mfcc, T)
        energy = torch.log(self.mel.spectrogram(wave).sum(-2, keepdim=True) + c.log_floor)
        static = torch.cat([mfcc, energy], dim=-2)
        d1 = self.deltas(static)
        return torch.cat([static, d1, self.deltas(d1)], dim=-2)


def asr_features(audio: np.ndarray, config: AsrFeatureConfig | None = None) -> np.ndarray:
    """Features of one 16 kHz waveform: (dim, frames) float32."""
    with torch.no_grad():
        return AsrFeatures(config)(torch.from_numpy(np.asarray(audio, dtype=np.float32))).numpy()
