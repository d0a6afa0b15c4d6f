"""Benchmark: build a built-in corpus and prepare its features; print a table, write JSON.

    python benchmarks/data_pipeline.py --sentences 200 --out runs/bench_data

Reports wall seconds for corpus rendering and feature extraction, and the real-time
factor of feature extraction (wall seconds / seconds of audio prepared), plus the F0
extractor alone against librosa's pYIN on the same audio, and the peak memory of feature
extraction per minute of audio (one file of noise per length, each in a fresh process:
peak RSS above the process's RSS before the file, divided by the file's minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import time
from pathlib import Path

PEAK_RSS_CODE = """
import resource, sys, numpy as np
from core.features import FeatureConfig, FeatureExtractor
extractor = FeatureExtractor(FeatureConfig())
extractor(extractor.preprocess(np.random.default_rng(0).standard_normal(22050).astype(np.float32) * 0.1))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
audio = np.random.default_rng(1).standard_normal(int(float(sys.argv[1]) * 22050)).astype(np.float32) * 0.1
extractor(extractor.preprocess(audio))
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_per_minute(seconds: float) -> dict:
    """Feature extraction of ``seconds`` of audio in a fresh process: MB above the start, per minute."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_CODE, str(seconds)],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    ).stdout.split()
    before_mb, peak_mb = int(out[0]) / 1024, int(out[1]) / 1024
    return {
        "seconds": seconds,
        "peak_rss_mb": round(peak_mb),
        "above_start_mb": round(peak_mb - before_mb),
        "mb_per_audio_minute": round((peak_mb - before_mb) / (seconds / 60), 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sentences", type=int, default=200)
    p.add_argument("--speakers", type=int, default=4)
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    p.add_argument("--out", default="runs/bench_data")
    p.add_argument("--json", default="benchmarks/results/data_pipeline.json")
    p.add_argument("--memory-only", action="store_true", help="only the feature-extraction memory rows")
    args = p.parse_args()
    if args.memory_only:
        rows = [peak_rss_per_minute(s) for s in (10, 30, 120)]
        print(f"{'audio s':>8} {'peak RSS MB':>12} {'above start MB':>15} {'MB per audio minute':>20}")
        for r in rows:
            print(
                f"{r['seconds']:>8} {r['peak_rss_mb']:>12} {r['above_start_mb']:>15} "
                f"{r['mb_per_audio_minute']:>20}"
            )
        path = Path(args.json)
        old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        path.write_text(json.dumps({**old, "feature_memory": rows}, indent=1), encoding="utf-8")
        return

    import librosa

    from core.audio import load_audio
    from core.data.prepare import prepare
    from core.pitch import yin
    from corpus.build import build_corpus

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
        "feature_memory": [peak_rss_per_minute(s) for s in (10, 30, 120)],
    }
    width = max(len(k) for k in result)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in result.items()))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
