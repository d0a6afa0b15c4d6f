"""Synthetic speakers: WORLD resynthesis moves F0 and the formants as asked, keeps timing,
draws speakers only from the ranges given, resumes, and refuses bad input in one line."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from corpus.speakers import Speaker, convert, convert_corpus, draw_speaker, warp_frequency_axis


def rows(folder):
    with open(folder / "metadata.csv", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\"))


def median_f0(audio, sr):
    import pyworld

    f0, _ = pyworld.dio(audio.astype(np.float64), sr, f0_floor=50.0, f0_ceil=800.0)
    return float(np.median(f0[f0 > 0]))


def envelope_centroid(audio, sr):
    """The mean WORLD envelope's centroid in Hz, over voiced frames: it follows the formants."""
    import pyworld

    x = audio.astype(np.float64)
    f0, t = pyworld.dio(x, sr, f0_floor=50.0, f0_ceil=800.0)
    sp = pyworld.cheaptrick(x, f0, t, sr)[f0 > 0].mean(0)
    freqs = np.linspace(0, sr / 2, len(sp))
    return float((freqs * sp).sum() / sp.sum())


@pytest.fixture(scope="module")
def female(tiny_corpus):
    out, _ = tiny_corpus
    utt = next(r for r in rows(out) if r[3] == "spk1")  # espeak-ng f2, near 200 Hz
    audio, sr = sf.read(out / "wavs" / f"{utt[0]}.wav", dtype="float32")
    return audio, sr


def test_warp_moves_bins_by_alpha():
    frames = np.zeros((1, 101))
    frames[0, 40] = 1.0
    assert np.argmax(warp_frequency_axis(frames, 0.5)[0]) == 20
    assert np.argmax(warp_frequency_axis(frames, 1.25)[0]) == 50


def test_f0_and_formants_move_independently(female):
    audio, sr = female
    f0, centroid = median_f0(audio, sr), envelope_centroid(audio, sr)
    lower = convert(audio, sr, alpha=0.82, f0_ratio=0.55)
    assert len(lower) == len(audio) and lower.dtype == np.float32
    assert median_f0(lower, sr) / f0 == pytest.approx(0.55, rel=0.1)
    assert envelope_centroid(lower, sr) / centroid < 0.92
    formants_only = convert(audio, sr, alpha=1.15, f0_ratio=1.0)
    assert median_f0(formants_only, sr) / f0 == pytest.approx(1.0, rel=0.06)
    assert envelope_centroid(formants_only, sr) / centroid > 1.05


def test_draws_stay_in_their_ranges_and_repeat_for_a_seed():
    ranges = [(0.78, 0.86), (1.14, 1.22)]
    drawn = [draw_speaker(5, i, ranges, (0.5, 1.4)) for i in range(200)]
    assert all(any(lo <= s.alpha <= hi for lo, hi in ranges) for s in drawn)
    assert all(0.5 <= s.f0_ratio <= 1.4 for s in drawn)
    assert {s.alpha < 1 for s in drawn} == {True, False}  # both ranges used
    assert drawn == [draw_speaker(5, i, ranges, (0.5, 1.4)) for i in range(200)]
    assert drawn != [draw_speaker(6, i, ranges, (0.5, 1.4)) for i in range(200)]


def test_corpus_conversion_keeps_transcripts_and_resumes(tiny_corpus, tmp_path):
    source, _ = tiny_corpus
    out = tmp_path / "held_out"
    speakers = [Speaker("lo", 0.9, 0.6), Speaker("hi", 1.1, 1.25)]
    card = convert_corpus(source, out, speakers=speakers, limit=2, progress=False)
    meta = rows(out)
    assert card["utterances"] == len(meta) == 4 and not card["failed"]
    by_id = {r[0]: r for r in rows(source)}
    for utt, text, normalized, speaker, split in meta:
        original = by_id[utt.rsplit("_", 1)[0]]
        assert (text, normalized, split) == (original[1], original[2], original[4])
        assert speaker in ("lo", "hi")
        assert (
            sf.info(out / "wavs" / f"{utt}.wav").frames
            == sf.info(source / "wavs" / f"{original[0]}.wav").frames
        )
    wav = out / "wavs" / f"{meta[0][0]}.wav"
    before = wav.stat().st_mtime_ns
    convert_corpus(source, out, speakers=speakers, limit=2, progress=False)
    assert wav.stat().st_mtime_ns == before  # resumed: nothing converted twice
    with pytest.raises(ValueError, match="other settings"):
        convert_corpus(source, out, speakers=speakers, limit=3, progress=False)


def test_drawn_conversion_records_each_speaker(tiny_corpus, tmp_path):
    source, _ = tiny_corpus
    out = tmp_path / "drawn"
    convert_corpus(
        source, out, alpha_ranges=[(0.8, 0.85)], f0_range=(0.6, 0.7), limit=3, seed=1, progress=False
    )
    drawn = json.loads((out / "speakers.json").read_text())
    assert len(drawn) == 3 and all(0.8 <= a <= 0.85 and 0.6 <= r <= 0.7 for a, r in drawn.values())


def test_cli_bad_input_is_one_line(tiny_corpus, tmp_path):
    source, _ = tiny_corpus
    cmd = [sys.executable, "-m", "cli.corpus", "convert", "--from", str(source), "--out", str(tmp_path / "x")]
    for extra, message in [
        ([], "--speaker or --alpha-ranges"),
        (["--speaker", "lo=0.9"], "NAME=ALPHA:F0_RATIO"),
        (["--alpha-ranges", "0.9-0.8"], "LOW <= HIGH"),
        (["--speaker", "lo=0.9:0.6", "--splits", "nosuch"], "no utterances"),
    ]:
        res = subprocess.run(cmd + extra, capture_output=True, text=True)
        assert res.returncode != 0 and message in res.stderr
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    missing = [sys.executable, "-m", "cli.corpus", "convert", "--from", str(tmp_path / "none")]
    res = subprocess.run(
        missing + ["--out", str(tmp_path / "y"), "--speaker", "a=1:1"], capture_output=True, text=True
    )
    assert res.returncode != 0 and "no metadata.csv" in res.stderr and "Traceback" not in res.stderr
