"""Griffin-Lim in numpy alone (the torch-free runtime, ``synthesis.deploy.onnx_runtime``),
the same algorithm and defaults as ``vocoder.griffin_lim.GriffinLim``, which shares
``spsi_phase`` with it: the slaney mel filterbank (as torchaudio's ``melscale_fbanks``)
inverted by its pseudo-inverse (the minimum-norm least-squares solution torchaudio's
``InverseMelScale`` finds), fast Griffin-Lim from an SPSI start, and an STFT/ISTFT with
torch's conventions (centred frames, reflect padding, periodic Hann window, the squared
window's overlap-add as normalization). Agrees with the torch version to float32 rounding
(test: tests/vocoder/test_griffin_lim_numpy.py)."""

from __future__ import annotations

import math
import sys

import numpy as np

N_ITER, POWER, MOMENTUM, PHASE_POWER = 16, 1.0, 0.99, 1.2
MIN_FRAMES = 8  # the STFT's reflect padding needs a few frames
SCIPY_FFT_FRAMES = 1000  # about 12 s of audio at 22.05 kHz, hop 256: the import's break-even


def spsi_phase(magnitude: np.ndarray, hop_length: int, n_fft: int) -> np.ndarray:
    """(bins, frames) magnitudes → (bins, frames) phase in radians (single-pass inversion).

    A bin is a peak of its frame where it is above the bin below and not below the bin
    above; its frequency is refined by quadratic interpolation of the log-magnitudes, and its
    phase is what that frequency accumulates over the hops in which the bin is a peak. Every
    other bin takes the phase of the next peak above it (of the frame's last peak above the
    last one), and the bin on the far side of the interpolated peak is in antiphase (the
    main lobe of a Hann window changes sign there). Vectorized over frames."""
    bins, frames = magnitude.shape
    log_mag = np.log(np.maximum(magnitude, 1e-10))
    k = np.arange(bins)[:, None]
    peak = np.zeros((bins, frames), dtype=bool)
    peak[1:-1] = (magnitude[1:-1] > magnitude[:-2]) & (magnitude[1:-1] >= magnitude[2:])
    alpha, gamma = np.roll(log_mag, 1, 0), np.roll(log_mag, -1, 0)
    denom = alpha - 2 * log_mag + gamma
    ok = peak & (np.abs(denom) > 1e-12)
    offset = np.where(ok, 0.5 * (alpha - gamma) / np.where(ok, denom, 1.0), 0.0)
    increment = np.where(peak, hop_length * 2 * math.pi * (k + offset) / n_fft, 0.0)
    accumulated = np.cumsum(increment, axis=1)  # (bins, frames)
    above = np.minimum.accumulate(np.where(peak, k, bins)[::-1], axis=0)[::-1]  # next peak >= bin
    last = np.where(peak, k, -1).max(0)  # (frames,), -1: no peak
    source = np.where(above < bins, above, last[None, :])
    phase = np.take_along_axis(accumulated, source.clip(0), axis=0)
    phase[:, last < 0] = 0.0
    t_idx, p_idx = np.nonzero(peak.T)  # frame by frame, bins rising
    side = np.where(offset[p_idx, t_idx] > 0, p_idx + 1, p_idx - 1).clip(0, bins - 1)
    phase[side, t_idx] = accumulated[p_idx, t_idx] + math.pi
    return phase


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    f = np.asarray(f, dtype=np.float64)
    log_part = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log_part, 3.0 * f / 200.0)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    return np.where(m >= 15.0, 1000.0 * np.exp((math.log(6.4) / 27.0) * (m - 15.0)), 200.0 * m / 3.0)


def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """(n_fft // 2 + 1, n_mels) triangular slaney filters with slaney (area) normalization,
    as ``torchaudio.functional.melscale_fbanks(..., norm="slaney", mel_scale="slaney")``."""
    freqs = np.linspace(0, sample_rate // 2, n_fft // 2 + 1)
    points = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    diff = np.diff(points)
    slopes = points[None, :] - freqs[:, None]  # (bins, n_mels + 2)
    down = -slopes[:, :-2] / diff[:-1]
    up = slopes[:, 2:] / diff[1:]
    fb = np.maximum(0.0, np.minimum(down, up))
    return fb * (2.0 / (points[2 : n_mels + 2] - points[:n_mels]))[None, :]


def fft_module(frames: int = 0):
    """numpy's FFT, or scipy's: 3–4× faster on these frame batches here, but 0.35 s to import.
    scipy's is used once something has imported it (tts-server does at start) or once this
    process has transformed ``SCIPY_FFT_FRAMES`` frames in all (counting ``frames`` now),
    past which the import has paid for itself on a long text."""
    global _frames_seen
    _frames_seen += frames
    if "scipy.fft" in sys.modules or _frames_seen >= SCIPY_FFT_FRAMES:
        from scipy import fft

        return fft
    return np.fft


_frames_seen = 0


def hann_window(n: int) -> np.ndarray:
    """(n,) float32 periodic Hann window, as ``torch.hann_window(n)``."""
    return (0.5 - 0.5 * np.cos(2 * math.pi * np.arange(n) / n)).astype(np.float32)


def _frames_stft(wave: np.ndarray, n_fft: int, hop: int, window: np.ndarray, fft) -> np.ndarray:
    """(samples,) → (1 + samples // hop, n_fft // 2 + 1): frames × bins."""
    padded = np.pad(wave, n_fft // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    return fft.rfft(frames * window, axis=-1)


def stft(wave: np.ndarray, n_fft: int, hop: int, window: np.ndarray) -> np.ndarray:
    """(samples,) → (n_fft // 2 + 1, 1 + samples // hop) complex, as ``torch.stft`` with
    ``center=True`` and reflect padding."""
    return _frames_stft(wave, n_fft, hop, window, fft_module(len(wave) // hop)).T


def _overlap_add(frames: np.ndarray, hop: int) -> np.ndarray:
    """(frames, n_fft) → (n_fft + hop · (frames - 1),): each frame added in at t · hop."""
    n, n_fft = frames.shape
    if n_fft % hop:
        out = np.zeros(n_fft + hop * (n - 1), dtype=frames.dtype)
        for t in range(n):
            out[t * hop : t * hop + n_fft] += frames[t]
        return out
    k = n_fft // hop  # the frame as k hop-long pieces: k vectorized adds
    out = np.zeros((n + k - 1) * hop, dtype=frames.dtype)
    pieces = frames.reshape(n, k, hop)
    for j in range(k):
        out[j * hop : (j + n) * hop] += pieces[:, j].reshape(-1)
    return out


def _envelope(window: np.ndarray, frames: int, hop: int, length: int) -> np.ndarray:
    """The squared window's overlap-add over ``length`` output samples (1 where ~0)."""
    envelope = _overlap_add(np.broadcast_to(window * window, (frames, len(window))), hop)
    envelope = envelope[len(window) // 2 : len(window) // 2 + length]
    return np.where(envelope > 1e-11, envelope, 1.0).astype(window.dtype)


def _frames_istft(spec, n_fft: int, hop: int, window, length: int, envelope, fft) -> np.ndarray:
    """(frames, bins) complex → (length,) samples."""
    out = _overlap_add(fft.irfft(spec, n=n_fft, axis=-1) * window, hop)[n_fft // 2 : n_fft // 2 + length]
    out = out / envelope[: len(out)]
    return np.pad(out, (0, max(0, length - len(out))))


def istft(spec: np.ndarray, n_fft: int, hop: int, window: np.ndarray, length: int) -> np.ndarray:
    """(bins, frames) complex → (length,) samples, as ``torch.istft(..., center=True,
    length=length)``: windowed overlap-add divided by the squared window's."""
    envelope = _envelope(window, spec.shape[1], hop, length)
    return _frames_istft(spec.T, n_fft, hop, window, length, envelope, fft_module(spec.shape[1]))


class NumpyGriffinLim:
    """The vocoder interface without torch: ``sample_rate``, and (n_mels, T) log-mel →
    (T · hop,) float32 samples in [-1, 1] (or (B, n_mels, T) → (B, T · hop)). ``features``:
    anything with the feature settings' fields (sample_rate, n_fft, hop_length, win_length,
    n_mels, fmin, fmax)."""

    def __init__(self, features, n_iter: int = N_ITER, momentum: float = MOMENTUM):
        c = self.config = features
        if c.win_length != c.n_fft:
            raise ValueError("the numpy Griffin-Lim needs win_length == n_fft")
        fb = mel_filterbank(c.sample_rate, c.n_fft, c.n_mels, c.fmin, c.fmax)
        self.inverse_mel = np.linalg.pinv(fb).astype(np.float32)  # (n_mels, bins): mel @ it
        self.window = hann_window(c.n_fft)
        self.n_iter, self.momentum = n_iter, momentum

    @property
    def sample_rate(self) -> int:
        return self.config.sample_rate

    def __call__(self, log_mel: np.ndarray) -> np.ndarray:
        if log_mel.ndim == 3:
            return np.stack([self(m) for m in log_mel])
        c, frames = self.config, log_mel.shape[-1]
        n_fft, hop, window = c.n_fft, c.hop_length, self.window
        if frames < MIN_FRAMES:
            log_mel = np.pad(log_mel, ((0, 0), (0, MIN_FRAMES - frames)), constant_values=log_mel.min())
        # frames × bins throughout: the layout the transforms want
        magnitude = np.maximum(np.exp(log_mel.astype(np.float32)).T @ self.inverse_mel, 0.0)
        search = magnitude**PHASE_POWER
        n = magnitude.shape[0]
        length = hop * (n - 1)
        fft, envelope = fft_module(n), _envelope(window, n, hop, length)
        angles = np.exp(1j * spsi_phase(search.T, hop, n_fft).T).astype(np.complex64)
        previous = np.zeros_like(angles)
        keep = self.momentum / (1 + self.momentum)
        scale = np.empty(angles.shape, dtype=np.float32)
        for _ in range(self.n_iter):
            wave = _frames_istft(search * angles, n_fft, hop, window, length, envelope, fft)
            rebuilt = _frames_stft(wave, n_fft, hop, window, fft)
            angles = rebuilt - previous * keep
            np.abs(angles, out=scale)
            scale += 1e-16
            angles /= scale
            previous = rebuilt
        wave = _frames_istft((magnitude**POWER) * angles, n_fft, hop, window, length, envelope, fft)
        samples = frames * hop  # as many samples as WaveGlow gives
        wave = np.pad(wave, (0, max(0, samples - len(wave))))[:samples]
        return np.clip(wave, -1.0, 1.0).astype(np.float32)
