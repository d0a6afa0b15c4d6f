"""Pitch errors on aligned frames (the MCD's DTW path).

- log-F0 RMSE, in cents: sqrt(mean((1200 · log2(f̂ / f))²)) over the aligned pairs where
  both frames are voiced (F0 and voicing by the project's YIN, 60–600 Hz);
- voiced/unvoiced error: the share of aligned pairs whose voicing decisions differ.
"""

from __future__ import annotations

import numpy as np


def log_f0_rmse_cents(
    ref_f0: np.ndarray, ref_voiced: np.ndarray, syn_f0: np.ndarray, syn_voiced: np.ndarray, path: np.ndarray
) -> float:
    """NaN when no aligned pair is voiced in both."""
    i, j = path[:, 0], path[:, 1]
    both = ref_voiced[i].astype(bool) & syn_voiced[j].astype(bool)
    if not both.any():
        return float("nan")
    cents = 1200.0 * np.log2(syn_f0[j][both] / ref_f0[i][both])
    return float(np.sqrt(np.mean(cents**2)))


def vuv_error(ref_voiced: np.ndarray, syn_voiced: np.ndarray, path: np.ndarray) -> float:
    return float(np.mean(ref_voiced[path[:, 0]].astype(bool) != syn_voiced[path[:, 1]].astype(bool)))
