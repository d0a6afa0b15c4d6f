"""Benchmark: MCD-DTW over utterance pairs (the evaluation's frame alignment); table + JSON.

    python benchmarks/mcd_dtw.py --pairs 100

Pairs are real prepared mels of the built-in corpus, each paired with a time-warped,
slightly noisy copy of itself (0.8–1.25× as long), so the DTW matrices have the shapes of
real reference/synthesis pairs.
Times the MCD-DTW step alone (cepstra, distance matrix, numba DTW, averaging), after one
warm-up call that compiles the numba kernels.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feats", default="data/feats", help="prepared corpus (tts-prepare output)")
    p.add_argument("--pairs", type=int, default=100)
    p.add_argument("--json", default="benchmarks/results/mcd_dtw.json")
    args = p.parse_args()

    from core.data.items import load_item
    from evaluation.mcd import mcd_dtw

    records = json.loads((Path(args.feats) / "index.json").read_text(encoding="utf-8"))[: args.pairs]
    rng = np.random.default_rng(0)
    pairs = []
    for r in records:
        mel = load_item(args.feats, r["id"])["mel"].astype(np.float64)
        factor = rng.uniform(0.8, 1.25)
        idx = np.clip(
            np.round(np.arange(int(mel.shape[1] * factor)) / factor).astype(int), 0, mel.shape[1] - 1
        )
        pairs.append((mel, mel[:, idx] + rng.normal(0, 0.1, size=(mel.shape[0], len(idx)))))
    t0 = time.perf_counter()
    mcd_dtw(*pairs[0])  # compiles the numba kernels
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    values = [mcd_dtw(a, b)[0] for a, b in pairs]
    total = time.perf_counter() - t0
    cells = sum(a.shape[1] * b.shape[1] for a, b in pairs)
    result = {
        "pairs": len(pairs),
        "seconds": round(total, 3),
        "ms_per_pair": round(1000 * total / len(pairs), 2),
        "mean_frames": round(float(np.mean([a.shape[1] for a, _ in pairs])), 1),
        "dtw_cells_per_s": round(cells / total),
        "numba_compile_s": round(compile_s, 2),
        "mean_mcd_db": round(float(np.mean(values)), 3),
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
    }
    print(f"{'pairs':>6} {'seconds':>8} {'ms/pair':>8} {'frames':>7} {'cells/s':>12} {'compile s':>9}")
    print(
        f"{result['pairs']:>6} {result['seconds']:>8} {result['ms_per_pair']:>8} {result['mean_frames']:>7} "
        f"{result['dtw_cells_per_s']:>12} {result['numba_compile_s']:>9}"
    )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
