"""Benchmark: which small-WaveGlow configuration learns fastest on this CPU?

    python experiments/waveglow_configs.py --feats data/feats_f2 --minutes 5 [--only NAME ...]

Each variant of ``configs/waveglow_small.yaml`` (flows, coupling-net layers and channels,
segment length, batch, learning rate) trains from scratch for ``--minutes`` training minutes
on the corpus's training split, in its own process with ``--threads`` threads, validating
every ``--validate-every`` steps on the same fixed validation segments (center crops of
``segment_length``). A variant whose run is already under ``--work`` is read, not retrained
(delete the folder to retrain). The validation negative log-likelihood (nats per sample;
the same quantity for every variant) after a fixed training time is how fast a variant
learns; steps/s and audio samples/s say what a step costs. Run it with nothing else on the
machine: the timings are wall-clock. Prints a table, writes JSON (default
experiments/results/waveglow_configs.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> --set overrides of configs/waveglow_small.yaml (its own values in the first)
VARIANTS = {
    "small (8 flows, 4x48, 8192, batch 8, lr 5e-4)": [],
    "lr 1e-3": ["train.lr=1e-3"],
    "segment 4096, batch 8": ["data.segment_length=4096"],
    "4 flows, 4x64": ["model.n_flows=4", "model.n_early_every=2", "model.wn_channels=64"],
    "8 flows, 2x32": ["model.wn_layers=2", "model.wn_channels=32"],
}


def read_run(run: Path) -> dict:
    from core.checkpoint import load_checkpoint
    from core.logs import scalars

    state = load_checkpoint(run / "checkpoints" / "latest.pt")
    return {
        "steps": state["step"],
        "seconds": state["seconds"],
        "audio_per_step": state["config"]["train"]["batch_size"] * state["config"]["data"]["segment_length"],
        "curve": scalars(run, ("val/loss", "val/train_minutes")),
    }


def val_at(curve: list[dict], minutes: float) -> float | None:
    """Validation NLL at ``minutes`` of training, interpolated between validations (None
    outside them)."""
    pts = [(c["val/train_minutes"], c["val/loss"]) for c in curve if "val/loss" in c]
    for (m0, v0), (m1, v1) in zip(pts, pts[1:]):
        if m0 <= minutes <= m1:
            return v0 + (v1 - v0) * (minutes - m0) / max(m1 - m0, 1e-9)
    return None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feats", type=Path, default=Path("data/feats_f2"))
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--validate-every", type=int, default=50)
    p.add_argument("--only", nargs="+", choices=list(VARIANTS), metavar="NAME", help="only these variants")
    p.add_argument("--work", type=Path, default=Path("runs/waveglow_configs"))
    p.add_argument("--json", default="experiments/results/waveglow_configs.json")
    args = p.parse_args()
    if not (args.feats / "index.json").is_file():
        sys.exit(f"waveglow_configs: {args.feats} is not a prepared corpus (run tts-prepare)")

    marks = [args.minutes / 2, args.minutes * 3 / 4]  # the first validations come late
    results = {}
    for n, (name, sets) in enumerate(VARIANTS.items()):
        if args.only and name not in args.only:
            continue
        run = args.work / f"v{n}"
        cmd = [sys.executable, "-m", "cli.train", "--config", "configs/waveglow_small.yaml"]
        cmd += ["--out", str(run)]
        for kv in [
            f"data.features_dir={args.feats}",
            f"train.minutes={args.minutes}",
            f"train.threads={args.threads}",
            f"train.validate_every={args.validate_every}",
            "train.log_every=10",
            "train.checkpoint_every=100000",
            "train.progress=false",
            "data.copy_synthesis_items=0",
            *sets,
        ]:
            cmd += ["--set", kv]
        print(f"{name}: {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
        if not (ROOT / run / "checkpoints" / "latest.pt").is_file():
            env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
            subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        got = read_run(ROOT / run)
        rate = got["steps"] / got["seconds"]
        results[name] = {
            "sets": sets,
            "steps": got["steps"],
            "steps_per_s": rate,
            "samples_per_s": rate * got["audio_per_step"],
            "val_nll": {f"{m:g}": val_at(got["curve"], m) for m in marks},
            "curve": got["curve"],
        }

    fmt = lambda v: "" if v is None else f"{v:.3f}"
    print(
        "\n| variant | steps/s | audio samples/s | "
        + " | ".join(f"val NLL at {m:g} min" for m in marks)
        + " |\n|---|---|---|"
        + "---|" * len(marks)
    )
    for name, r in results.items():
        cells = " | ".join(fmt(v) for v in r["val_nll"].values())
        print(f"| {name} | {r['steps_per_s']:.2f} | {r['samples_per_s']:,.0f} | {cells} |")
    out = {
        "command": " ".join(sys.argv),
        "feats": str(args.feats),
        "minutes": args.minutes,
        "threads": args.threads,
        "results": results,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
