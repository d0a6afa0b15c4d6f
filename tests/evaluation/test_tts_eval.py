"""tts-eval on real rendered speech: the three modes, the report, and bad input."""

import json
import shutil
import subprocess
import sys

import librosa
import numpy as np
import pytest
import soundfile as sf

from core.audio import load_audio
from core.features import FeatureConfig
from evaluation.compare import Comparer
from synthesis.voice import build_voice

from ..helpers import run_config, train_tiny

RATE = 22050


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "cli.evaluate", *map(str, args)], capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def wavs(four_utterances):
    return sorted((four_utterances.parent / "data" / "wavs").glob("*.wav"))


def test_a_recording_against_itself_and_a_stretched_copy(wavs):
    comparer = Comparer(FeatureConfig())
    ref = load_audio(wavs[0], RATE)
    same, _ = comparer.compare(ref, ref)
    assert same["mcd_db"] == pytest.approx(0, abs=1e-6) and same["mel_l1"] == pytest.approx(0, abs=1e-6)
    assert same["log_f0_rmse_cents"] == pytest.approx(0, abs=1e-6) and same["vuv_error"] == 0
    assert same["duration_ratio"] == pytest.approx(1.0) and same["mel_cosine"] == pytest.approx(1.0)
    stretched = librosa.effects.time_stretch(ref, rate=1.25)
    fast, detail = comparer.compare(ref, stretched)
    assert fast["duration_ratio"] == pytest.approx(0.8, abs=0.03)
    assert len(detail["path"]) >= detail["reference"].mel.shape[1]  # every reference frame is on the path
    other, _ = comparer.compare(ref, load_audio(wavs[1], RATE))  # another sentence
    assert 0 < fast["mcd_db"] < other["mcd_db"]
    assert fast["mel_cosine"] > other["mel_cosine"]


def test_silent_audio_cannot_be_scored(wavs):
    with pytest.raises(ValueError, match="silent"):
        Comparer(FeatureConfig()).compare(load_audio(wavs[0], RATE), np.zeros(RATE, np.float32))


@pytest.fixture(scope="module")
def recognizer(four_utterances, tmp_path_factory):
    cfg = {
        "task": "recognizer",
        "data": {"features_dir": str(four_utterances), "speed_perturb": 0.0, "spec_augment": False},
        "model": {"kind": "crnn", "conv_channels": 8, "hidden": 32, "layers": 1, "dropout": 0.0},
        "train": {
            "steps": 5,
            "batch_size": 4,
            "lr": 5e-3,
            "scheduler": "none",
            "log_every": 10,
            "validate_every": 10**6,
            "checkpoint_every": 10**6,
            "progress": False,
        },
    }
    return train_tiny(cfg, tmp_path_factory.mktemp("rec"))


def test_two_folders_by_name_with_texts_and_recognizer(wavs, recognizer, tmp_path):
    ref_dir, syn_dir = tmp_path / "ref", tmp_path / "syn"
    ref_dir.mkdir(), syn_dir.mkdir()
    for w in wavs:
        shutil.copy(w, ref_dir / w.name)
    shutil.copy(wavs[0], syn_dir / wavs[0].name)  # identical
    audio = load_audio(wavs[1], RATE)
    sf.write(syn_dir / wavs[1].name, librosa.effects.time_stretch(audio, rate=0.8), RATE)  # slower
    sf.write(syn_dir / "unmatched.wav", audio, RATE)
    texts = tmp_path / "texts.csv"
    texts.write_text(f"{wavs[0].stem}|今天天气很好。\n{wavs[1].stem}|我们去公园散步。\n", encoding="utf-8")
    r = cli(
        "--synthesized",
        syn_dir,
        "--reference",
        ref_dir,
        "--texts",
        texts,
        "--recognizer",
        recognizer,
        "--judge",
        "both",
        "--out",
        tmp_path / "report",
    )
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "report/report.json").read_text(encoding="utf-8"))
    rows = {u["id"]: u for u in report["utterances"]}
    assert set(rows) == {wavs[0].stem, wavs[1].stem}
    assert rows[wavs[0].stem]["mcd_db"] == pytest.approx(0, abs=1e-6)
    assert rows[wavs[1].stem]["duration_ratio"] == pytest.approx(1.25, abs=0.04)
    same = rows[wavs[0].stem]
    assert same["cer_reference"] == same["cer_synthesized"]  # same audio, same recognition
    agg = report["aggregate"]["duration_ratio"]
    assert agg["n"] == 2 and agg["mean"] == pytest.approx((1.0 + rows[wavs[1].stem]["duration_ratio"]) / 2)
    page = (tmp_path / "report/report.html").read_text(encoding="utf-8")
    assert page.count("<audio") == 4 and "MCD-DTW" in page and "Intelligibility: two judges" in page
    # the second judge, Whisper base, on the same pairs: the identical pair scores the same on both sides
    whisper = report["whisper"]
    assert whisper["utterances"] == 2 and "Whisper base" in page and "Whisper base error" in r.stdout
    assert 0 <= whisper["syllable_error_toneless_reference"] and whisper["cer_synthesized"] >= 0
    assert same["whisper_synthesized"] == judge_text(wavs[0])
    for img in ("plots/hist_mcd_db.png", f"plots/utt_{wavs[0].stem}.png"):
        assert (tmp_path / "report" / img).stat().st_size > 1000 and img in page
    for audio_file in (tmp_path / "report/audio").iterdir():  # the page plays offline
        assert audio_file.stat().st_size > 1000


def judge_text(path):
    from recognizer.whisper import SAMPLE_RATE, WhisperJudge

    return WhisperJudge.load().transcribe_audio([load_audio(path, SAMPLE_RATE)], SAMPLE_RATE)[0]


def test_copy_synthesis_through_griffin_lim(four_utterances, tmp_path):
    r = cli(
        "--judge",
        "recognizer",
        "--copy-synthesis",
        "griffin-lim",
        "--dataset",
        four_utterances,
        "--split",
        "train",
        "--limit",
        2,
        "--out",
        tmp_path / "gl",
    )
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "gl/report.json").read_text(encoding="utf-8"))
    assert len(report["utterances"]) == 2
    assert 0 < report["aggregate"]["mcd_db"]["mean"] < 2.5  # measured: about 0.9 dB
    assert report["aggregate"]["duration_ratio"]["mean"] == pytest.approx(1.0, abs=0.05)
    assert report["rtf"]["vocoder"] > 0 and report["rtf"]["acoustic"] == 0


def test_a_voice_reading_the_split(four_utterances, tmp_path):
    cfg = run_config(four_utterances, 20)
    cfg["model"]["n_speakers"] = 0
    build_voice(train_tiny(cfg, tmp_path / "acoustic"), tmp_path / "voice")
    r = cli(
        "--judge",
        "recognizer",
        "--model",
        tmp_path / "voice",
        "--dataset",
        four_utterances,
        "--split",
        "train",
        "--limit",
        2,
        "--out",
        tmp_path / "a",
        "--plots",
        1,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "a/report.json").read_text(encoding="utf-8"))
    assert len(report["utterances"]) + len(report["skipped"]) == 2
    rtf = report["rtf"]
    assert rtf["acoustic"] > 0 and rtf["vocoder"] > 0
    assert rtf["end_to_end"] >= rtf["acoustic"] + rtf["vocoder"]
    assert "real-time factor" in r.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--synthesized", "."], "needs --reference"),
        (["--copy-synthesis", "griffin-lim"], "need --dataset"),
        (["--copy-synthesis", "griffin-lim", "--dataset", "/nonexistent"], "no features.json"),
        (["--synthesized", "/nonexistent", "--reference", "."], "not a folder"),
    ],
)
def test_bad_input_is_one_line(args, message, tmp_path):
    r = cli(*args, "--out", tmp_path / "x")
    assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_folders_without_common_names(tmp_path, wavs):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    shutil.copy(wavs[0], tmp_path / "a" / "x.wav")
    shutil.copy(wavs[0], tmp_path / "b" / "y.wav")
    r = cli("--synthesized", tmp_path / "a", "--reference", tmp_path / "b", "--out", tmp_path / "r")
    assert r.returncode == 1 and "no WAV names in common" in r.stderr


def test_partly_overlapping_folders_list_what_was_left_out(tmp_path):
    """Issue 17: unmatched files were dropped in silence."""
    import numpy as np
    import soundfile as sf

    from evaluation.evaluate import folder_pairs

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    tone = (0.3 * np.sin(np.arange(22050) * 0.05)).astype(np.float32)
    for name in ("x", "y", "only_a1", "only_a2"):
        sf.write(a / f"{name}.wav", tone, 22050)
    for name in ("x", "y", "only_b"):
        sf.write(b / f"{name}.wav", tone, 22050)
    unmatched = []
    pairs = folder_pairs(a, b, unmatched=unmatched)
    assert [p.id for p in pairs] == ["x", "y"]
    assert unmatched == [
        f"2 WAV file(s) only in {a}, left out: only_a1.wav, only_a2.wav",
        f"1 WAV file(s) only in {b}, left out: only_b.wav",
    ]
