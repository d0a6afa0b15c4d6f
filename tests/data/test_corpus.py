"""The built-in corpus: layout, audio format, determinism, splits, resume."""

import csv
import hashlib

import pytest
import soundfile as sf

from core.data.splits import split_of
from corpus.build import _stretches, build_corpus
from corpus.sentences import news_sentences, review_sentences, sample_sentences
from frontend import Frontend


def rows(folder):
    with open(folder / "metadata.csv", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\"))


def test_layout_and_audio(tiny_corpus):
    out, card = tiny_corpus
    meta = rows(out)
    assert len(meta) == card["utterances"] == 12 and not card["failed"]
    assert {r[3] for r in meta} == {"spk0", "spk1"}
    for utt_id, _text, normalized, speaker, split in meta:
        info = sf.info(out / "wavs" / f"{utt_id}.wav")
        assert (info.samplerate, info.channels, info.subtype) == (22050, 1, "PCM_16")
        assert 0.5 < info.duration < 20
        assert split == split_of(normalized) and utt_id.startswith(speaker)


def test_transcript_is_the_frontends_normalization(tiny_corpus):
    out, _ = tiny_corpus
    fe = Frontend()
    for _, text, normalized, _, _ in rows(out):
        assert normalized == "".join(u.normalized for u in fe(text))
        assert not any(c.isdigit() for c in normalized)


def test_espeak_is_given_the_frontends_pinyin():
    (utt,) = Frontend()("我用iPhone打电话，好吗？")
    assert _stretches(utt) == [("zh", "wo3 yong4"), ("en", "iPhone"), ("zh", "da3 dian4 hua4, hao3 ma5.")]


def test_deterministic_for_a_seed(tiny_corpus, tmp_path):
    out, _ = tiny_corpus
    again = tmp_path / "again"
    build_corpus(again, sentences=12, speakers=2, seed=3, jobs=1, progress=False)
    assert rows(again) == rows(out)
    for utt_id, *_ in rows(out)[:3]:
        a = hashlib.sha1((out / "wavs" / f"{utt_id}.wav").read_bytes()).hexdigest()
        b = hashlib.sha1((again / "wavs" / f"{utt_id}.wav").read_bytes()).hexdigest()
        assert a == b
    assert sample_sentences(12, seed=4) != sample_sentences(12, seed=3)


def test_rerun_resumes_and_other_settings_are_refused(tiny_corpus):
    out, _ = tiny_corpus
    wav = next((out / "wavs").iterdir())
    before = wav.stat().st_mtime_ns
    wav_missing = out / "wavs" / f"{rows(out)[-1][0]}.wav"
    wav_missing.unlink()
    build_corpus(out, sentences=12, speakers=2, seed=3, jobs=1, progress=False)
    assert wav.stat().st_mtime_ns == before and wav_missing.exists()
    with pytest.raises(ValueError, match="another --out"):
        build_corpus(out, sentences=13, speakers=2, seed=3, progress=False)


def test_splits_follow_the_sentence_not_the_speaker():
    assert split_of("今天天气很好。") == split_of("今天天气很好。")
    splits = [split_of(s) for s in news_sentences()[:2000]]
    share = {name: splits.count(name) / len(splits) for name in ("train", "val", "test")}
    assert 0.85 < share["train"] < 0.95 and 0.02 < share["test"] < 0.08


def test_sentence_source_is_natural_and_varied():
    news, reviews = news_sentences(), review_sentences()
    assert len(news) > 10000 and len(reviews) > 1000
    picked = sample_sentences(500, seed=0)
    assert len(set(picked)) == 500
    assert any(any(c.isdigit() for c in s) for s in picked)  # numbers
    assert any(any("a" <= c.lower() <= "z" for c in s) for s in picked)  # some English
    assert all(8 <= len(s) <= 40 and s[-1] in "。！？" for s in picked)


def test_bad_arguments():
    with pytest.raises(ValueError, match="speakers"):
        build_corpus("/tmp/never", sentences=3, speakers=9)
    with pytest.raises(ValueError, match="sentences"):
        build_corpus("/tmp/never", sentences=0)


def test_pitch_spread_offsets_are_deterministic_bounded_and_audible():
    from dataclasses import replace

    import numpy as np

    from core.pitch import yin
    from corpus.build import VOICES, pitch_offset, render
    from frontend import Frontend

    offsets = [pitch_offset(0, i, 20) for i in range(200)]
    assert offsets == [pitch_offset(0, i, 20) for i in range(200)]
    assert -20 <= min(offsets) < -10 and 10 < max(offsets) <= 20
    assert all(pitch_offset(3, i, 0) == 0 for i in range(10))
    fe = Frontend()
    medians = []
    for pitch in (25, 65):
        audio, _ = render("今天天气很好。", replace(VOICES[0], pitch=pitch), fe)
        f0, voiced = yin(audio, 22050, 256)
        medians.append(float(np.median(f0[voiced])))
    assert medians[1] > 1.2 * medians[0], medians


def test_only_some_splits_keep_the_ids_of_the_whole_corpus(tmp_path):
    from corpus.sentences import sample_sentences
    from frontend import Frontend

    fe = Frontend()
    expected = [
        f"spk0_{i:06d}"
        for i, t in enumerate(sample_sentences(80, 5))
        if split_of("".join(u.normalized for u in fe(t))) == "test"
    ]
    assert expected  # 80 sentences hold a few test ones
    card = build_corpus(
        tmp_path / "c", sentences=80, speakers=1, seed=5, jobs=1, progress=False, only_splits=["test"]
    )
    rows = [
        line.split("|") for line in (tmp_path / "c" / "metadata.csv").read_text(encoding="utf-8").splitlines()
    ]
    assert [r[0] for r in rows] == expected and {r[4] for r in rows} == {"test"}
    assert card["only_splits"] == ["test"] and card["splits"]["train"] == 0
    with pytest.raises(ValueError, match="--splits takes train, val, test"):
        build_corpus(tmp_path / "d", sentences=5, only_splits=["dev"])
