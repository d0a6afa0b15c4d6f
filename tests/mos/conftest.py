"""A small listening test built from real rendered speech, and a live server for it."""

import numpy as np
import pytest
import soundfile as sf

from core.audio import load_audio
from mos.build import build_test

from ..helpers import ThreadedServer


@pytest.fixture(scope="module")
def systems(four_utterances, tmp_path_factory):
    """ref: the corpus recordings (first 0.6 s, to keep browser tests short); lowpass: a duller copy."""
    root = tmp_path_factory.mktemp("systems")
    ref, low = root / "ref", root / "lowpass"
    ref.mkdir(), low.mkdir()
    for wav in sorted((four_utterances.parent / "data" / "wavs").glob("*.wav")):
        audio = load_audio(wav, 22050)[: int(0.6 * 22050)]
        sf.write(ref / wav.name, audio, 22050, subtype="PCM_16")
        spectrum = np.fft.rfft(audio)
        spectrum[len(spectrum) // 4 :] = 0
        sf.write(
            low / wav.name, np.fft.irfft(spectrum, len(audio)).astype(np.float32), 22050, subtype="PCM_16"
        )
    return {"ref": ref, "lowpass": low}


@pytest.fixture
def test_dir(systems, tmp_path):
    out = tmp_path / "test"
    build_test(systems, out, reference="ref")
    return out


@pytest.fixture
def server(test_dir):
    from mos.server import make_app

    s = ThreadedServer(make_app(test_dir))
    s.url += "/"  # the page's own address
    yield s
    s.close()
