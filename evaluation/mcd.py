"""Mel-cepstral distortion (MCD) on DTW-aligned frames.

Definition used here (state it when comparing with other papers, whose MCD is often on
WORLD/SPTK mel-cepstra and not directly comparable):

- cepstra: the cosine transform of the natural-log mel *amplitude* spectrogram (the
  project's 80-band features at 22,050 Hz, 1024-point FFT, hop 256) with the cepstral
  scaling c_d = (1/N) · Σ_{n<N} log A_n · cos(π d (n + ½) / N), N = 80 bands, so that
  log A_n = c_0 + 2 Σ_d c_d cos(…) — the convention the MCD formula below assumes;
- order 24: coefficients c1..c24; c0 (overall level) is excluded;
- frames are aligned by DTW (``evaluation.dtw``) on those 24 coefficients;
- per aligned pair: MCD = (10 / ln 10) · sqrt(2 · Σ_{d=1..24} (c_d − ĉ_d)²) dB,
  averaged over the pairs of the path.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.fft import dct

from .dtw import dtw

ORDER = 24
_K = 10.0 / math.log(10.0) * math.sqrt(2.0)


def mel_cepstrum(log_mel: np.ndarray, order: int = ORDER) -> np.ndarray:
    """(n_mels, frames) natural-log mel amplitudes → (frames, order) cepstra c1..c_order."""
    x = np.asarray(log_mel, dtype=np.float64)
    c = dct(x, type=2, norm=None, axis=0) / (2 * x.shape[0])  # scipy's DCT-II is 2·Σ …
    return c[1 : order + 1].T


def mcd_on_path(ref_cep: np.ndarray, syn_cep: np.ndarray, path: np.ndarray) -> float:
    """Mean MCD (dB) over aligned pairs. ceps: (frames, order); path: (k, 2)."""
    diff = ref_cep[path[:, 0]] - syn_cep[path[:, 1]]
    return float(np.mean(_K * np.sqrt((diff**2).sum(axis=1))))


def mcd_dtw(ref_log_mel: np.ndarray, syn_log_mel: np.ndarray, order: int = ORDER) -> tuple[float, np.ndarray]:
    """MCD (dB) between two log-mel spectrograms (n_mels, frames), and the DTW path used."""
    ref, syn = mel_cepstrum(ref_log_mel, order), mel_cepstrum(syn_log_mel, order)
    path, _ = dtw(ref, syn)
    return mcd_on_path(ref, syn, path), path
