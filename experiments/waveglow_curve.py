"""WaveGlow learning curve: copy synthesis through each kept checkpoint of a training run
against Griffin-Lim, on held-out utterances, by training minutes.

    python experiments/waveglow_curve.py runs/wg_2x32 --feats data/feats_f2 --split test --limit 40

For Griffin-Lim and for every ``checkpoints/step_*.pt`` of the run whose step is a multiple of
``--every``: ``tts-eval --copy-synthesis`` on the first ``--limit`` utterances of ``--split`` at each
``--sigma``: log-mel L1, MCD-DTW, the shipped recognizer's syllable error rates (toned and
tones ignored) and the vocoder's real-time factor. Each checkpoint's training minutes come
from the checkpoint itself. Prints a table, writes JSON (results already in it are reused).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from waveglow_overfit import copy_synthesis


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", type=Path, help="tts-train output folder of a vocoder run")
    p.add_argument("--feats", type=Path, default=Path("data/feats_f2"))
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=40, help="utterances (0: the whole split)")
    p.add_argument("--sigma", type=float, nargs="+", default=[0.6])
    p.add_argument("--every", type=int, default=1, help="score the checkpoints of steps divisible by this")
    p.add_argument("--work", type=Path, default=None, help="eval folders (default RUN/curve)")
    p.add_argument("--json", default="experiments/results/waveglow_curve.json")
    args = p.parse_args()

    from core.checkpoint import load_checkpoint

    work = args.work or args.run / "curve"
    out = Path(args.json)
    done = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    rows = {(r["vocoder"], r["sigma"]): r for r in done.get("rows", [])}
    if ("griffin-lim", None) not in rows:
        rows["griffin-lim", None] = {
            "vocoder": "griffin-lim",
            "sigma": None,
            "step": None,
            "minutes": None,
            **copy_synthesis("griffin-lim", args.feats, work / "gl", 0.0, args.split, args.limit),
        }
    for ckpt in sorted((args.run / "checkpoints").glob("step_*.pt")):
        if int(ckpt.stem.split("_")[1]) % args.every:
            continue
        state = load_checkpoint(ckpt)
        step, minutes = state["step"], state.get("seconds", 0.0) / 60
        for sigma in args.sigma:
            key = (f"waveglow step {step}", sigma)
            if key in rows:
                continue
            print(f"scoring {ckpt} at sigma {sigma}", flush=True)
            metrics = copy_synthesis(
                str(ckpt), args.feats, work / f"wg_{step}_{sigma}", sigma, args.split, args.limit
            )
            rows[key] = {"vocoder": key[0], "sigma": sigma, "step": step, "minutes": minutes, **metrics}
            result = {
                "run": str(args.run),
                "feats": str(args.feats),
                "split": args.split,
                "limit": args.limit,
                "rows": list(rows.values()),
            }
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=1), encoding="utf-8")

    first = next(iter(rows.values()))
    print(
        f"\ncopy synthesis of {args.limit or 'all'} {args.split} utterances of {args.feats} "
        f"(recordings: {first['cer_recordings']:.4f} toned, {first['cer_recordings_toneless']:.4f} "
        "tones ignored)"
    )
    print(
        "| vocoder | σ | training minutes | log-mel L1 (nats) | MCD-DTW (dB) | syllable error "
        "| tones ignored | vocoder RTF |\n|---|---|---|---|---|---|---|---|"
    )
    for r in sorted(rows.values(), key=lambda r: (r["step"] or 0, r["sigma"] or 0)):
        minutes = "" if r["minutes"] is None else f"{r['minutes']:.1f}"
        sigma = "" if r["sigma"] is None else f"{r['sigma']:g}"
        print(
            f"| {r['vocoder']} | {sigma} | {minutes} | {r['mel_l1']:.3f} | {r['mcd_db']:.2f} | "
            f"{r['cer']:.4f} | {r['cer_toneless']:.4f} | {r['rtf']:.4f} |"
        )
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
