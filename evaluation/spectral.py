"""Mel-spectrogram distances on aligned frames (the MCD's DTW path).

- mel L1: mean absolute difference of natural-log mel amplitudes (nats) over the aligned
  pairs and the 80 bands;
- mel cosine: mean over aligned pairs of the cosine similarity of the two frames' linear
  mel amplitudes (exp of the log mel); 1 = same spectral shape.
"""

from __future__ import annotations

import numpy as np


def mel_l1(ref_log_mel: np.ndarray, syn_log_mel: np.ndarray, path: np.ndarray) -> float:
    """log mels: (n_mels, frames)."""
    return float(np.mean(np.abs(ref_log_mel[:, path[:, 0]] - syn_log_mel[:, path[:, 1]])))


def mel_cosine(ref_log_mel: np.ndarray, syn_log_mel: np.ndarray, path: np.ndarray) -> float:
    a, b = np.exp(ref_log_mel[:, path[:, 0]]), np.exp(syn_log_mel[:, path[:, 1]])
    num = (a * b).sum(0)
    den = np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0)
    return float(np.mean(num / np.maximum(den, 1e-12)))
