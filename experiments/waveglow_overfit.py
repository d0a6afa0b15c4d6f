"""WaveGlow overfit check: can the small WaveGlow learn a handful of utterances on this CPU
better than Griffin-Lim vocodes them? A check that would catch a bug in the flow.

    python experiments/waveglow_overfit.py --feats data/feats1 --utterances 12 --minutes 20

1. A feature folder of ``--utterances`` training utterances of ``--feats`` (the same ones
   listed again as its validation split) under ``--work``.
2. ``tts-train --config configs/waveglow_small.yaml`` on it for ``--minutes`` of training
   (``--set`` overrides pass through), in its own process, one thread unless told.
3. Copy synthesis of those same utterances (``tts-eval --copy-synthesis``) through the
   trained WaveGlow at each ``--sigma`` and through Griffin-Lim: log-mel L1, MCD-DTW and
   the shipped recognizer's syllable error rates; and the training loss curve.
Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def subset(feats: Path, out: Path, n: int) -> None:
    records = [
        r for r in json.loads((feats / "index.json").read_text(encoding="utf-8")) if r["split"] == "train"
    ]
    chosen = sorted(records, key=lambda r: r["id"])[:n]
    out.mkdir(parents=True, exist_ok=True)
    for name in ("features.json", "stats.json", "symbols.json"):
        (out / name).write_bytes((feats / name).read_bytes())
    rows = [dict(r, split="train") for r in chosen] + [dict(r, split="val") for r in chosen]
    (out / "index.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def copy_synthesis(
    vocoder: str, feats: Path, out: Path, sigma: float, split: str = "val", limit: int = 0
) -> dict:
    """``tts-eval --copy-synthesis vocoder`` on ``split`` of ``feats`` (in its own process):
    log-mel L1, MCD-DTW, the shipped recognizer's error rates and the vocoder's RTF."""
    cmd = [
        sys.executable,
        "-m",
        "cli.evaluate",
        "--copy-synthesis",
        vocoder,
        "--dataset",
        str(feats),
        "--split",
        split,
        "--limit",
        str(limit),
        "--out",
        str(out),
        "--sigma",
        str(sigma),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    agg, intel = report["aggregate"], report.get("intelligibility", {})
    return {
        "mel_l1": agg["mel_l1"]["mean"],
        "mcd_db": agg["mcd_db"]["mean"],
        "cer": intel.get("cer_synthesized"),
        "cer_toneless": intel.get("cer_synthesized_toneless"),
        "cer_recordings": intel.get("cer_reference"),
        "cer_recordings_toneless": intel.get("cer_reference_toneless"),
        "rtf": report.get("rtf", {}).get("vocoder"),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feats", type=Path, default=Path("data/feats1"))
    p.add_argument("--utterances", type=int, default=12)
    p.add_argument("--minutes", type=float, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--sigma", type=float, nargs="+", default=[0.0, 0.3, 0.6])
    p.add_argument("--work", type=Path, default=Path("runs/waveglow_overfit"))
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="passed to tts-train")
    p.add_argument("--json", default="experiments/results/waveglow_overfit.json")
    args = p.parse_args()

    feats, run = args.work / "feats", args.work / "run"
    subset(args.feats, feats, args.utterances)
    train = [
        sys.executable,
        "-m",
        "cli.train",
        "--config",
        "configs/waveglow_small.yaml",
        "--out",
        str(run),
        "--set",
        f"data.features_dir={feats}",
        "--set",
        f"train.minutes={args.minutes}",
        "--set",
        f"train.threads={args.threads}",
        "--set",
        "train.progress=false",
        "--set",
        "data.copy_synthesis_items=4",
    ]
    for kv in args.set:
        train += ["--set", kv]
    if (run / "checkpoints" / "latest.pt").exists():
        train.append("--resume")
    print(" ".join(train), flush=True)
    subprocess.run(train, check=True, cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": str(args.threads)})
    checkpoint = run / "checkpoints" / "latest.pt"
    rows = [{"vocoder": "griffin-lim", **copy_synthesis("griffin-lim", feats, args.work / "eval_gl", 0.0)}]
    for sigma in args.sigma:
        rows.append(
            {
                "vocoder": f"waveglow sigma {sigma}",
                **copy_synthesis(str(checkpoint), feats, args.work / f"eval_wg_{sigma}", sigma),
            }
        )
    from core.logs import scalars

    curve = scalars(
        run, ("train/loss", "val/loss", "val/copy_mel_l1", "val/griffin_lim_mel_l1", "val/train_minutes")
    )
    print(
        f"\ncopy synthesis of the {args.utterances} training utterances (recordings: "
        f"{rows[0]['cer_recordings']:.4f} syllable error)"
    )
    print(
        "| vocoder | log-mel L1 (nats) | MCD-DTW (dB) | syllable error | tones ignored "
        "|\n|---|---|---|---|---|"
    )
    for r in rows:
        print(
            f"| {r['vocoder']} | {r['mel_l1']:.3f} | {r['mcd_db']:.2f} | {r['cer']:.4f} | "
            f"{r['cer_toneless']:.4f} |"
        )
    print("\n| step | train loss | val loss | val copy mel L1 | minutes |\n|---|---|---|---|---|")
    for c in curve:
        fmt = lambda k: f"{c[k]:.4g}" if k in c else ""
        print(
            f"| {c['step']} | {fmt('train/loss')} | {fmt('val/loss')} | {fmt('val/copy_mel_l1')} | "
            f"{fmt('val/train_minutes')} |"
        )
    result = {
        "feats": str(args.feats),
        "utterances": args.utterances,
        "minutes": args.minutes,
        "threads": args.threads,
        "command": " ".join(train),
        "copy_synthesis": rows,
        "curve": curve,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
