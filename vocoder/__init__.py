"""Mel spectrogram → waveform.

Every vocoder has one interface (as torchaudio's TTS pipelines): ``sample_rate`` and
``vocoder(mel) -> audio``, log-mel (B, n_mels, T) → float samples in [-1, 1] (B, T · hop),
or (n_mels, T) → (T · hop,):

    griffin_lim.py  ``GriffinLim``: the baseline, needs no training
    waveglow.py     the WaveGlow flow; ``WaveGlowVocoder`` samples it at ``sigma`` with the
                    denoiser (``denoiser.py``)
    training.py     the WaveGlow training task (``task: vocoder``)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import torch


class Vocoder(Protocol):
    sample_rate: int

    def __call__(self, mel: torch.Tensor) -> torch.Tensor:
        """(B, n_mels, T) or (n_mels, T) log-mel → (B, samples) or (samples,) in [-1, 1]."""
