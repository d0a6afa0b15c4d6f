"""Audio in: read any file soundfile reads, as float32 mono at the rate asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


class AudioError(ValueError):
    """An audio file that cannot be used; the message names the file."""


def load_audio(path: str | Path, sample_rate: int) -> np.ndarray:
    """Read ``path`` → float32 mono in [-1, 1] at ``sample_rate`` (channels averaged).

    Raises AudioError for unreadable, empty or non-finite audio.
    """
    if not Path(path).is_file():
        raise AudioError(f"{path}: no such file" if not Path(path).exists() else f"{path}: not a file")
    try:
        audio, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as err:
        raise AudioError(f"{path}: cannot read audio ({err})") from None
    audio = audio.mean(axis=1)
    if audio.size == 0:
        raise AudioError(f"{path}: audio is empty")
    if not np.isfinite(audio).all():
        raise AudioError(f"{path}: audio holds NaN or infinite samples")
    if sr != sample_rate:
        audio = resample(audio, sr, sample_rate)
    return audio


def resample(audio: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """High-quality resampling (soxr through librosa)."""
    import librosa

    return librosa.resample(audio, orig_sr=orig_sr, target_sr=target_sr, res_type="soxr_hq").astype(
        np.float32
    )


def trim_silence(
    audio: np.ndarray, top_db: float, frame_length: int = 1024, hop_length: int = 256, pad: int = 0
) -> np.ndarray:
    """Cut leading and trailing stretches quieter than ``top_db`` below the peak, keeping ``pad`` samples."""
    import librosa

    _, (start, end) = librosa.effects.trim(
        audio, top_db=top_db, frame_length=frame_length, hop_length=hop_length
    )
    if end <= start:
        return audio
    return audio[max(0, start - pad) : min(len(audio), end + pad)]


def normalize_loudness(audio: np.ndarray, target_dbfs: float, peak: float = 0.99) -> np.ndarray:
    """Scale to an RMS of ``target_dbfs`` dB full scale, never past ``peak``. Silence stays silent."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    if rms < 1e-8:
        return audio
    gain = 10 ** (target_dbfs / 20) / rms
    gain = min(gain, peak / float(np.abs(audio).max()))
    return (audio * gain).astype(np.float32)
