"""A training checkpoint without its training state: the model's weights, config and
vocabulary only (about a third of the size), to commit a run's weights so that a later
session starts from them (``tts-train --init OUT``) or synthesizes with them.

    python scripts/checkpoint_weights.py runs/wg_2x32/checkpoints/latest.pt vocoder/pretrained/wg_2x32.pt
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", type=Path)
    p.add_argument("out", type=Path)
    args = p.parse_args()
    from core.checkpoint import CheckpointError, save_weights_only

    try:
        state = save_weights_only(args.checkpoint, args.out)
    except CheckpointError as err:
        raise SystemExit(f"checkpoint_weights: {err}") from None
    size = args.out.stat().st_size / 2**20
    print(f"{args.out}: {state['task']} weights of step {state['step']} ({size:.1f} MiB)")


if __name__ == "__main__":
    main()
