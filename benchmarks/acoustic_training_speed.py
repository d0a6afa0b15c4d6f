"""Benchmark: training throughput of the three acoustic models on this CPU, in one run.

    python benchmarks/acoustic_training_speed.py --feats data/feats1 --threads 1 2

The parallel and autoregressive duration-informed decoders (``configs/duration_small.yaml``),
each on windows of at most 256 frames (the recipe, ``data.crop_frames: 256``) and on whole
utterances, and Tacotron2 with attention (``configs/tacotron2_small.yaml``), each in its
own process, train on the same real batches (16 utterances of the prepared features,
length-bucketed as in training) for a warm-up step and then ``--steps`` timed optimizer
steps. Reported: mel frames per second (the frames a step trains on, after windowing, per
second of forward + backward + update), utterances per second, seconds per step and the
process's peak memory. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "parallel": ("configs/duration_small.yaml", ["model.decoder=parallel"]),
    "parallel-whole": ("configs/duration_small.yaml", ["model.decoder=parallel", "data.crop_frames=0"]),
    "autoregressive": ("configs/duration_small.yaml", ["model.decoder=autoregressive"]),
    "autoregressive-whole": (
        "configs/duration_small.yaml",
        ["model.decoder=autoregressive", "data.crop_frames=0"],
    ),
    "attention": ("configs/tacotron2_small.yaml", []),
}


def _one(name: str, feats: str, steps: int, threads: int) -> dict:
    import torch

    from cli.train import load_run_config
    from core.sampler import BatchSampler
    from tts.training.acoustic import AcousticTask
    from tts.training.crops import crop_to_symbol_spans

    torch.set_num_threads(threads)
    path, overrides = CASES[name]
    config = load_run_config(
        str(ROOT / path), overrides + [f"data.features_dir={feats}", "validation.sentences=0"]
    )
    task = AcousticTask(config)
    window = config.data.crop_frames
    config.data.crop_frames = 0  # windows are cut below, so that their frames can be counted
    batches = BatchSampler(task.lengths(task.train_set), 16, seed=0).batches()[: steps + 1]
    optimizer = torch.optim.AdamW(task.model.parameters(), lr=1e-4)
    task.model.train()
    frames, utterances, seconds = 0, 0, 0.0
    for i, indices in enumerate(batches):
        batch = task.collate([task.train_set[j] for j in indices])
        start = time.perf_counter()
        if window:
            batch = crop_to_symbol_spans(batch, window)
        loss, _ = task.loss(task.model, batch, i)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if i:  # the first step warms up
            seconds += time.perf_counter() - start
            frames += int(batch["mel_lengths"].sum())
            utterances += len(indices)
    return {
        "model": name,
        "threads": threads,
        "steps": steps,
        "window_frames": window,
        "frames_per_s": round(frames / seconds),
        "utterances_per_s": round(utterances / seconds, 2),
        "s_per_step": round(seconds / steps, 3),
        "params_m": round(sum(p.numel() for p in task.model.parameters()) / 1e6, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feats", default="data/feats1")
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--models", nargs="+", default=list(CASES))
    p.add_argument("--json", default="benchmarks/results/acoustic_training_speed.json")
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        name, threads = args.one.split(":")
        print(json.dumps(_one(name, args.feats, args.steps, int(threads))))
        return
    rows = []
    for threads in args.threads:
        for name in args.models:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    f"{name}:{threads}",
                    "--feats",
                    args.feats,
                    "--steps",
                    str(args.steps),
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if out.returncode:
                sys.exit(f"{name}: {out.stderr.strip().splitlines()[-1]}")
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = rows[-1]
            print(
                f"{r['model']:>20} threads {r['threads']}: {r['frames_per_s']:>6} frames/s "
                f"{r['utterances_per_s']:>5} utt/s "
                f"{r['s_per_step']:>6} s/step {r['params_m']:>5} M params {r['peak_rss_mb']:>6} MB",
                flush=True,
            )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {"machine": platform.processor() or platform.machine(), "batch_size": 16, "rows": rows}, indent=1
        )
    )


if __name__ == "__main__":
    main()
