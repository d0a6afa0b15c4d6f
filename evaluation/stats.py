"""Aggregates: mean with a 95% confidence interval (Student's t over utterances)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(values) -> dict:
    """{"mean", "ci95" (half-width), "n"}; NaNs are left out; ci95 is NaN below 2 values."""
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=np.float64)
    if len(x) == 0:
        return {"mean": float("nan"), "ci95": float("nan"), "n": 0}
    if len(x) == 1:
        return {"mean": float(x[0]), "ci95": float("nan"), "n": 1}
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return {"mean": float(x.mean()), "ci95": float(half), "n": int(len(x))}
