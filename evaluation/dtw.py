"""Dynamic time warping between two feature sequences (numba).

Variant: the classic symmetric DTW with steps (1,0), (0,1), (1,1), each of weight 1, no
slope constraint and no window; the path runs from (0, 0) to (n-1, m-1). The local cost
is the Euclidean distance between frames. ``dtw`` returns the path and the accumulated
cost; metrics average their per-pair values over the path (so a long path counts each
pair once).
"""

from __future__ import annotations

import numba
import numpy as np


def distance_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Euclidean distances between frames. x: (n, d), y: (m, d) → (n, m) float64."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    sq = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * x @ y.T
    return np.sqrt(np.maximum(sq, 0.0))


@numba.njit(cache=False)
def _accumulate(cost: np.ndarray) -> np.ndarray:
    n, m = cost.shape
    acc = np.full((n, m), np.inf)
    acc[0, 0] = cost[0, 0]
    for i in range(n):
        for j in range(m):
            if i == 0 and j == 0:
                continue
            best = np.inf
            if i > 0 and acc[i - 1, j] < best:
                best = acc[i - 1, j]
            if j > 0 and acc[i, j - 1] < best:
                best = acc[i, j - 1]
            if i > 0 and j > 0 and acc[i - 1, j - 1] < best:
                best = acc[i - 1, j - 1]
            acc[i, j] = cost[i, j] + best
    return acc


@numba.njit(cache=False)
def _backtrack(acc: np.ndarray) -> np.ndarray:
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path = np.empty((acc.shape[0] + acc.shape[1], 2), dtype=np.int64)
    k = 0
    path[k] = (i, j)
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            d, u, left = acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]
            if d <= u and d <= left:
                i, j = i - 1, j - 1
            elif u <= left:
                i -= 1
            else:
                j -= 1
        k += 1
        path[k] = (i, j)
    return path[: k + 1][::-1].copy()


def dtw(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Align x: (n, d) with y: (m, d). Returns (path (k, 2) of index pairs, accumulated cost)."""
    if len(x) == 0 or len(y) == 0:
        raise ValueError("DTW needs two non-empty sequences")
    acc = _accumulate(distance_matrix(x, y))
    return _backtrack(acc), float(acc[-1, -1])
