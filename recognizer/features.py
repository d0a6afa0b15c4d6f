"""The recognizer's front end: 16 kHz log-mel (default) or MFCC with energy and deltas.

Seed defaults: 25 ms frames (400 samples), 10 ms hop (160), n_fft 512, Hamming window,
64 mel bands. ``kind="mfcc"``: 13 cepstra + log energy, with first and second deltas
(42 values a frame). ``warp`` (training only) stretches the power spectrum's frequency axis
before the mel filters: vocal-tract-length perturbation, a longer or shorter speaker's
formants.
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

    def forward(self, wave: torch.Tensor, warp: float = 1.0) -> torch.Tensor:
        """``warp``: formant frequencies are multiplied by it (1.0: unchanged)."""
        c = self.config
        power = self.mel.spectrogram(wave)  # (…, n_fft/2+1, T)
        if warp != 1.0:
            power = warp_frequencies(power, warp)
        log_mel = torch.log(self.mel.mel_scale(power) + c.log_floor)  # (…, n_mels, T)
        if c.kind == "logmel":
            return log_mel
        dct = torchaudio.functional.create_dct(c.n_mfcc, c.n_mels, norm="ortho").to(log_mel)
        mfcc = torch.einsum("...mt,mk->...kt", log_mel, dct)  # (…, n_mfcc, T)
        energy = torch.log(power.sum(-2, keepdim=True) + c.log_floor)
        static = torch.cat([mfcc, energy], dim=-2)
        d1 = self.deltas(static)
        return torch.cat([static, d1, self.deltas(d1)], dim=-2)


def warp_frequencies(power: torch.Tensor, factor: float, knee: float = 0.8) -> torch.Tensor:
    """(…, F, T) power spectrum with its frequency axis stretched by ``factor`` (Jaitly and
    Hinton's VTLP): what lay at f moves to f·factor below ``knee`` of the band, and a straight
    line joins that to the top bin, so the band's edges stay where they are."""
    bins = power.shape[-2]
    top = bins - 1
    out = torch.arange(bins, dtype=power.dtype, device=power.device)
    corner = knee * top * min(1.0, factor)  # the output frequency where the straight line starts
    source = torch.where(
        out <= corner,
        out / factor,
        corner / factor + (out - corner) * (top - corner / factor) / (top - corner),
    ).clamp(0, top)
    low = source.floor().long().clamp(max=top - 1)
    share = (source - low)[:, None]
    return power[..., low, :] * (1 - share) + power[..., low + 1, :] * share


def asr_features(audio: np.ndarray, config: AsrFeatureConfig | None = None) -> np.ndarray:
    """Features of one 16 kHz waveform: (dim, frames) float32."""
    with torch.no_grad():
        return AsrFeatures(config)(torch.from_numpy(np.asarray(audio, dtype=np.float32))).numpy()
