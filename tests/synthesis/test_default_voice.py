"""The shipped voice, as a user gets it: it synthesizes offline, and pitch control moves the
F0 of its audio by the semitones asked for (measured with a pitch tracker)."""

import numpy as np
import pytest

from core.pitch import yin
from synthesis.pipeline import Synthesizer

TEXT = "今天天气很好，我们一起去公园散步吧。"


@pytest.fixture(scope="module")
def synthesizer():
    return Synthesizer()


def _median_semitones(tts, shift):
    audio = tts(TEXT, pitch_shift=shift)
    f0, voiced = yin(audio, tts.sample_rate, 256, threshold=0.3)
    assert voiced.mean() > 0.2, "most of a Mandarin sentence is voiced"
    return 12 * np.log2(np.median(f0[voiced]))


def test_shipped_voice_speaks_without_warnings(synthesizer):
    result = synthesizer.synthesize(TEXT)
    assert 1.5 < len(result.audio) / synthesizer.sample_rate < 8.0
    assert np.abs(result.audio).max() > 0.05 and np.isfinite(result.audio).all()
    assert not synthesizer.warnings and not result.warnings
    assert result.sentences[0].durations is not None  # the shipped voice is duration-informed


@pytest.mark.parametrize("shift,tolerance", [(4.0, 1.0), (-4.0, 1.0), (2.0, 1.0), (-2.0, 1.0)])
def test_pitch_shift_moves_median_f0_by_the_semitones_asked(synthesizer, shift, tolerance):
    moved = _median_semitones(synthesizer, shift) - _median_semitones(synthesizer, 0.0)
    assert abs(moved - shift) <= tolerance, moved
