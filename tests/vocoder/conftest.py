import pytest

from core.audio import load_audio
from core.features import FeatureExtractor


@pytest.fixture(scope="session")
def tiny_speech(tmp_path_factory):
    """A few seconds of real espeak-ng Mandarin, trimmed and loudness-normalized."""
    import subprocess

    path = tmp_path_factory.mktemp("speech") / "s.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "cmn-latn-pinyin",
            "-w",
            str(path),
            "jin1 tian1 tian1 qi4 hen2 hao3, wo3 men5 qu4 gong1 yuan2 san4 bu4.",
        ],
        check=True,
    )
    return FeatureExtractor().preprocess(load_audio(path, 22050))
