"""Audio in: read any file soundfile reads, as float32 mono at the rate asked for."""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def wav_header(sample_rate: int, samples: int | None = None) -> bytes:
    """The 44-byte header of a 16-bit mono PCM WAV of ``samples`` samples; with None, sizes
    that say "unknown" (0xFFFFFFFF), as streaming tools write: libsndfile and aplay read on
    to the end."""
    data = 0xFFFFFFFF if samples is None else 2 * samples
    riff = 0xFFFFFFFF if samples is None else 36 + data
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
    return b"RIFF" + struct.pack("<I", riff) + b"WAVE" + fmt + b"data" + struct.pack("<I", data)


def pcm16(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


@contextmanager
def wav_output(path: str | Path, sample_rate: int) -> Iterator[Callable[[np.ndarray], None]]:
    """A 16-bit mono WAV output that ``write(audio)`` appends to, for a path a user named:
    a regular file (or a symlink's target) is written beside it and renamed over it when
    done; ``-`` (standard output), a FIFO or a character device is written through as the
    audio comes, with a streaming header. A write error (a full disk, a closed pipe) is an
    OSError that names the path."""
    from core.files import atomic_path, resolve_output

    kind, target = resolve_output(path)
    samples = 0

    def stream_to(f) -> Iterator[Callable[[np.ndarray], None]]:
        def write(audio: np.ndarray) -> None:
            nonlocal samples
            f.write(pcm16(audio))
            samples += len(audio)

        f.write(wav_header(sample_rate))
        yield write
        if kind == "file":  # the real sizes, now they are known
            f.seek(0)
            f.write(wav_header(sample_rate, samples))
        f.flush()

    try:
        if kind == "file":
            with atomic_path(target) as tmp, open(tmp, "wb") as f:
                yield from stream_to(f)
        elif kind == "stdout":
            yield from stream_to(sys.stdout.buffer)
        else:
            with open(target, "wb") as f:
                yield from stream_to(f)
    except OSError as err:
        if err.errno is None:
            raise
        where = "standard output" if kind == "stdout" else path
        raise OSError(f"cannot write {where}: {err.strerror}") from None
