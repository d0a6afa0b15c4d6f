"""Frame-level F0 with voicing: a vectorized YIN (de Cheveigné & Kawahara, 2002).

All frames are processed at once with FFTs (no Python loop over frames), so a minute of
audio takes well under a second. Frames are centred on ``hop * t`` like the mel
spectrogram's, so F0 frame ``t`` lines up with mel frame ``t``.
"""

from __future__ import annotations

import math

import numpy as np


def yin(
    audio: np.ndarray,
    sample_rate: int,
    hop_length: int,
    fmin: float = 60.0,
    fmax: float = 600.0,
    frame_length: int | None = None,
    threshold: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    """F0 (Hz, 0 where unvoiced) and voicing flags for each frame.

    Args:
        audio: (samples,) float waveform.
        frame_length: analysis window; default holds two periods of ``fmin``.
        threshold: a frame is voiced when its cumulative-mean-normalized difference
            dips below this (lower: stricter).
    Returns:
        f0: (frames,) float32, frames = 1 + samples // hop_length.
        voiced: (frames,) bool.
    """
    tau_min = max(2, int(sample_rate / fmax))
    tau_max = int(np.ceil(sample_rate / fmin))
    if frame_length is None:
        frame_length = int(2 ** np.ceil(np.log2(2 * tau_max + 1)))
    window = frame_length - tau_max  # the integration window W
    pad = frame_length // 2
    x = np.pad(audio.astype(np.float64), (pad, pad))
    n_frames = 1 + len(audio) // hop_length
    idx = np.arange(frame_length)[None, :] + hop_length * np.arange(n_frames)[:, None]
    x = np.pad(x, (0, max(0, idx.max() + 1 - len(x))))
    frames = x[idx]  # (frames, frame_length)

    # d(tau) = sum_j (x_j - x_{j+tau})^2 over j < W = e0 + e_tau - 2 r(tau)
    n_fft = int(2 ** np.ceil(np.log2(frame_length + window)))
    spec_a = np.fft.rfft(frames, n_fft)
    spec_b = np.fft.rfft(frames[:, :window], n_fft)
    r = np.fft.irfft(spec_a * np.conj(spec_b), n_fft)[:, : tau_max + 1]
    sq = np.cumsum(np.pad(frames**2, ((0, 0), (1, 0))), axis=1)
    e0 = sq[:, window][:, None]
    taus = np.arange(tau_max + 1)
    e_tau = sq[:, taus + window] - sq[:, taus]
    diff = np.maximum(e0 + e_tau - 2 * r, 0.0)

    # cumulative mean normalized difference d'(tau)
    cmnd = np.ones_like(diff)
    csum = np.cumsum(diff[:, 1:], axis=1)
    cmnd[:, 1:] = diff[:, 1:] * np.arange(1, tau_max + 1) / np.maximum(csum, 1e-12)

    # first tau in range below threshold, walked to its local minimum; else the global minimum
    search = cmnd[:, tau_min : tau_max + 1]
    below = search < threshold
    is_min = np.ones_like(below)
    is_min[:, :-1] = search[:, :-1] <= search[:, 1:]
    candidate = below & is_min
    has = candidate.any(axis=1)
    best = np.where(has, candidate.argmax(axis=1), search.argmin(axis=1))
    tau = best + tau_min
    dip = search[np.arange(n_frames), best]

    # parabolic interpolation around tau for sub-sample precision
    t0 = np.clip(tau, 1, tau_max - 1)
    rows = np.arange(n_frames)
    a, b, c = cmnd[rows, t0 - 1], cmnd[rows, t0], cmnd[rows, t0 + 1]
    denom = a - 2 * b + c
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / np.where(denom == 0, 1, denom), 0.0)
    period = t0 + np.clip(shift, -1, 1)

    energy = np.sqrt(e0[:, 0] / window)
    voiced = has & (dip < threshold) & (energy > 1e-4)
    f0 = np.where(voiced, sample_rate / period, 0.0).astype(np.float32)
    voiced &= (f0 >= fmin) & (f0 <= fmax)
    f0[~voiced] = 0.0
    return f0, voiced


def semitones_to_pitch_shift(semitones: float, log_f0_std: float) -> float:
    """A shift in normalized log-F0 units for ``semitones`` (12 per octave)."""
    return semitones * math.log(2.0) / 12.0 / log_f0_std
