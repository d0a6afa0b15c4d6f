"""Benchmark: build a built-in corpus and prepare its features; print a table, write JSON.

    python benchmarks/data_pipeline.py --sentences 200 --out runs/bench_data

Reports wall seconds for corpus rendering and feature extraction, and the real-time
factor of feature extraction (wall seconds / seconds of audio prepared), plus the F0
extractor alone against librosa's pYIN on the same audio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sentences", type=int, default=200)
    p.add_argument("--speakers", type=int, default=4)
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    p.add_argument("--out", default="runs/bench_data")
    p.add_argument("--json", default="benchmarks/results/data_pipeline.json")
    args = p.parse_args()

    import librosa

    from core.audio import load_audio
    from core.data.corpus import build_corpus
    from core.data.prepare import prepare
    from core.pitch import yin

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    card = build_corpus(out / "corpus", args.sentences, args.speakers, seed=0, jobs=args.jobs)
    t_corpus = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = prepare(out / "corpus", out / "feats", jobs=args.jobs)
    t_prepare = time.perf_counter() - t0
    audio_s = summary["hours"] * 3600

    # F0 alone, one process: our YIN vs librosa pYIN on the first 20 utterances
    wavs = sorted((out / "corpus" / "wavs").iterdir())[:20]
    clips = [load_audio(w, 22050) for w in wavs]
    clip_s = sum(len(c) for c in clips) / 22050
    t0 = time.perf_counter()
    for c in clips:
        yin(c, 22050, 256)
    t_yin = time.perf_counter() - t0
    t0 = time.perf_counter()
    for c in clips[:5]:
        librosa.pyin(c, fmin=60, fmax=600, sr=22050, frame_length=1024, hop_length=256)
    t_pyin = (time.perf_counter() - t0) * len(clips) / 5

    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "jobs": args.jobs,
        "utterances": card["utterances"],
        "audio_seconds": round(audio_s, 1),
        "corpus_build_s": round(t_corpus, 2),
        "prepare_s": round(t_prepare, 2),
        "prepare_rtf": round(t_prepare / audio_s, 4),
        "f0_yin_rtf_1proc": round(t_yin / clip_s, 5),
        "f0_pyin_rtf_1proc": round(t_pyin / clip_s, 4),
        "yin_speedup_over_pyin": round(t_pyin / t_yin, 1),
        "problems": len(summary["problems"]) + len(card["failed"]),
    }
    width = max(len(k) for k in result)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in result.items()))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
