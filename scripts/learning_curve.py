"""Learning curves of training runs from their TensorBoard logs: the validation probe's
syllable error rates by the recognizer (toned, tones ignored) and, where the run had
``validation.whisper``, by Whisper base (toneless syllables, characters), and mel L1, against
minutes of training.

    python scripts/learning_curve.py runs/parallel runs/autoregressive [--json out.json]

Prints one markdown table per run (the rows tts-train logged at each validation).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

KEYS = ("train_minutes", "asr_error", "asr_error_toneless", "whisper_error", "whisper_cer", "post_l1")


def curve(run: Path) -> list[dict]:
    from core.logs import scalars

    rows = scalars(run, [f"val/{k}" for k in KEYS])
    return [{k.removeprefix("val/"): v for k, v in row.items()} for row in rows]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", type=Path)
    p.add_argument("--json")
    args = p.parse_args()
    result = {}
    for run in args.runs:
        rows = result[str(run)] = curve(run)
        print(
            f"\n{run}\n\n| step | minutes | recognizer, toned | recognizer, tones ignored "
            "| Whisper base, toneless | Whisper base, characters | post-net L1 |\n"
            "|---|---|---|---|---|---|---|"
        )
        for r in rows:
            fmt = lambda k, d=3: f"{r[k]:.{d}f}" if k in r else "–"
            print(
                f"| {r['step']} | {fmt('train_minutes', 1)} | {fmt('asr_error')} | "
                f"{fmt('asr_error_toneless')} | {fmt('whisper_error')} | {fmt('whisper_cer')} | "
                f"{fmt('post_l1')} |"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
