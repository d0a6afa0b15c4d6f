"""All signal metrics of one (reference, synthesized) pair of waveforms.

Both waveforms go through the same preprocessing as training data (silence trimmed at
both ends, loudness normalized), then the project's feature extractor (log mel, YIN F0
and voicing). One DTW path on mel-cepstra aligns the frames for every frame metric.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.features import FeatureConfig, FeatureExtractor

from .f0 import log_f0_rmse_cents, vuv_error
from .mcd import mcd_dtw
from .spectral import mel_cosine, mel_l1


@dataclass
class Analysis:
    """Features of one waveform. mel: (n_mels, frames) log; f0, voiced: (frames,)."""

    mel: np.ndarray
    f0: np.ndarray
    voiced: np.ndarray
    seconds: float


class Comparer:
    def __init__(self, features: FeatureConfig | None = None):
        self.extractor = FeatureExtractor(features or FeatureConfig())

    def analyse(self, audio: np.ndarray) -> Analysis:
        audio = np.asarray(audio, dtype=np.float32)
        if len(audio) == 0 or float(np.abs(audio).max()) < 1e-4:
            raise ValueError("silent audio cannot be scored")
        x = self.extractor.preprocess(audio)
        if len(x) < self.extractor.config.win_length:
            raise ValueError("silent or too short to score")
        f = self.extractor(x)
        return Analysis(f["mel"], f["f0"], f["voiced"], len(x) / self.extractor.config.sample_rate)

    def compare(self, reference: np.ndarray, synthesized: np.ndarray) -> tuple[dict[str, float], dict]:
        """(metrics, details for plots). Audio at the feature config's sample rate."""
        ref, syn = self.analyse(reference), self.analyse(synthesized)
        mcd, path = mcd_dtw(ref.mel, syn.mel)
        metrics = {
            "mcd_db": mcd,
            "log_f0_rmse_cents": log_f0_rmse_cents(ref.f0, ref.voiced, syn.f0, syn.voiced, path),
            "vuv_error": vuv_error(ref.voiced, syn.voiced, path),
            "mel_l1": mel_l1(ref.mel, syn.mel, path),
            "mel_cosine": mel_cosine(ref.mel, syn.mel, path),
            "duration_ratio": syn.seconds / ref.seconds,
        }
        return metrics, {"reference": ref, "synthesized": syn, "path": path}
