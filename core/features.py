"""Acoustic features on the model's frame grid: log-mel, F0 with voicing, energy.

Defaults follow NVIDIA's Tacotron2: 22,050 Hz, n_fft 1024, hop 256, window 1024,
80 mel bands 0–8,000 Hz (Slaney scale and norm), magnitude (not power) spectrum,
``log(max(x, 1e-5))``. Frames are centred (reflect padding), so an utterance of
``n`` samples has ``1 + n // hop`` frames in every feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torchaudio

from core.audio import normalize_loudness, trim_silence
from core.pitch import yin


@dataclass
class FeatureConfig:
    sample_rate: int = 22050
    n_fft: int = 1024
    hop_length: int = 256
    win_length: int = 1024
    n_mels: int = 80
    fmin: float = 0.0
    fmax: float = 8000.0
    log_floor: float = 1e-5  # log(max(mel, floor))
    f0_min: float = 60.0  # YIN search range, Hz
    f0_max: float = 600.0
    voicing_threshold: float = 0.15  # YIN aperiodicity threshold
    trim_top_db: float | None = 40.0  # silence trimming at both ends; None: keep all
    trim_pad_s: float = 0.05  # silence kept at each end after trimming
    loudness_dbfs: float | None = -20.0  # RMS target; None: leave levels alone

    def __post_init__(self) -> None:
        if self.win_length > self.n_fft:
            raise ValueError("win_length must not exceed n_fft")
        if not 0 <= self.fmin < self.fmax <= self.sample_rate / 2:
            raise ValueError("need 0 <= fmin < fmax <= sample_rate / 2")
        if not 0 < self.f0_min < self.f0_max:
            raise ValueError("need 0 < f0_min < f0_max")


class FeatureExtractor:
    """Waveform → features. ``extractor(audio)`` returns a dict of numpy arrays:

    - ``mel``: (n_mels, frames) float32 log-mel spectrogram
    - ``f0``: (frames,) float32 Hz, 0 where unvoiced; ``voiced``: (frames,) bool
    - ``energy``: (frames,) float32, L2 norm of each frame's magnitude spectrum
    """

    def __init__(self, config: FeatureConfig | None = None):
        self.config = c = config or FeatureConfig()
        self.spectrogram = torchaudio.transforms.Spectrogram(
            n_fft=c.n_fft,
            win_length=c.win_length,
            hop_length=c.hop_length,
            power=1.0,
            center=True,
            pad_mode="reflect",
        )
        self.mel_scale = torchaudio.transforms.MelScale(
            n_mels=c.n_mels,
            sample_rate=c.sample_rate,
            f_min=c.fmin,
            f_max=c.fmax,
            n_stft=c.n_fft // 2 + 1,
            norm="slaney",
            mel_scale="slaney",
        )

    def preprocess(self, audio: np.ndarray) -> np.ndarray:
        """Trim silence at both ends and normalize loudness, as configured."""
        c = self.config
        if c.trim_top_db is not None:
            audio = trim_silence(
                audio,
                c.trim_top_db,
                frame_length=c.win_length,
                hop_length=c.hop_length,
                pad=int(c.trim_pad_s * c.sample_rate),
            )
        if c.loudness_dbfs is not None:
            audio = normalize_loudness(audio, c.loudness_dbfs)
        return audio

    @torch.no_grad()
    def mel(self, audio: np.ndarray | torch.Tensor) -> torch.Tensor:
        """(samples,) → (n_mels, frames) log-mel only."""
        return self._mel(self._magnitude(audio))

    def _magnitude(self, audio) -> torch.Tensor:
        if isinstance(audio, np.ndarray):
            audio = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))
        return self.spectrogram(audio.float())

    def _mel(self, magnitude: torch.Tensor) -> torch.Tensor:
        return torch.log(torch.clamp(self.mel_scale(magnitude), min=self.config.log_floor))

    @torch.no_grad()
    def __call__(self, audio: np.ndarray) -> dict[str, np.ndarray]:
        c = self.config
        magnitude = self._magnitude(audio)
        mel = self._mel(magnitude)
        energy = torch.linalg.vector_norm(magnitude, dim=0)
        f0, voiced = yin(
            audio, c.sample_rate, c.hop_length, c.f0_min, c.f0_max, threshold=c.voicing_threshold
        )
        return {"mel": mel.numpy(), "f0": f0, "voiced": voiced, "energy": energy.numpy()}
