"""Float samples → the bytes a client asked for.

WAV and raw PCM (16-bit little-endian mono) stream: a WAV header whose sizes are unknown
yet says so with 0xFFFFFFFF (as ffmpeg and streaming TTS servers write it; libsndfile,
ffmpeg and browsers read to the end of the data), then PCM as each sentence comes. FLAC,
MP3 and Opus are encoded whole by libsndfile (soundfile); Opus only exists at 8, 12, 16,
24 and 48 kHz, so the audio is resampled to 24 kHz for it.
"""

from __future__ import annotations

import io

import numpy as np

from core.audio import pcm16, wav_header  # noqa: F401 (the server's streamed formats)

STREAMED = ("wav", "pcm")
WHOLE = ("flac", "mp3", "opus")
FORMATS = STREAMED + WHOLE
MEDIA_TYPES = {
    "wav": "audio/wav",
    "pcm": "audio/L16",
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
}


def encode(audio: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """The whole of ``audio`` as one file of ``fmt`` (any of ``FORMATS``)."""
    if fmt == "wav":
        return wav_header(sample_rate, len(audio)) + pcm16(audio)
    if fmt == "pcm":
        return pcm16(audio)
    import soundfile as sf

    if fmt == "opus":
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(24000, sample_rate)
        audio, sample_rate = resample_poly(audio, 24000 // g, sample_rate // g).astype(np.float32), 24000
    out = io.BytesIO()
    container, subtype = {
        "flac": ("FLAC", "PCM_16"),
        "mp3": ("MP3", "MPEG_LAYER_III"),
        "opus": ("OGG", "OPUS"),
    }[fmt]
    sf.write(out, np.clip(audio, -1.0, 1.0), sample_rate, format=container, subtype=subtype)
    return out.getvalue()
