"""A small listening test built from real rendered speech, and a live server for it."""

import asyncio
import threading

import numpy as np
import pytest
import soundfile as sf

from core.audio import load_audio
from mos.build import build_test

from ..helpers import free_port


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


class Server:
    def __init__(self, test_dir):
        from aiohttp import web

        from mos.server import make_app

        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(make_app(test_dir))
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}/"

    def close(self):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


@pytest.fixture
def server(test_dir):
    s = Server(test_dir)
    yield s
    s.close()
