"""Tiny datasets made in the test session: real espeak-ng audio in each supported layout."""

import subprocess

import pytest
import soundfile as sf

from core.audio import resample
from corpus.build import build_corpus


def espeak_wav(path, text, voice="en-us", rate=22050):
    """Render ``text`` with espeak-ng and write it at ``rate`` Hz (resampled if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
    audio, sr = sf.read(raw, dtype="float32")
    raw.unlink()
    if sr != rate:
        audio = resample(audio, sr, rate)
    sf.write(path, audio, rate, subtype="PCM_16")
    return audio


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    card = build_corpus(out, sentences=12, speakers=2, seed=3, jobs=2, progress=False)
    return out, card
