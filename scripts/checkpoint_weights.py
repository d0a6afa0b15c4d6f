"""A training checkpoint without its training state: the model's weights, config and
vocabulary only (about a third of the size), to commit a run's weights so that a later
session starts from them (``tts-train --init OUT``) or synthesizes with them.

    python scripts/checkpoint_weights.py runs/wg_2x32/checkpoints/latest.pt vocoder/pretrained/wg_2x32.pt

``--deepen N`` (WaveGlow checkpoints) writes the same flow with N WN layers per coupling
net instead (``vocoder.waveglow.deepen``: the added layers start at zero output), for
``tts-train --init OUT --set model.wn_layers=N``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--deepen", type=int, metavar="N", help="WaveGlow: grow every coupling net to N WN layers")
    args = p.parse_args()
    from core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint, weights_only

    try:
        state = weights_only(load_checkpoint(args.checkpoint))
        if args.deepen is not None:
            state = _deepened(state, args.deepen)
        save_checkpoint(args.out, state)
    except (CheckpointError, ValueError) as err:
        raise SystemExit(f"checkpoint_weights: {err}") from None
    size = args.out.stat().st_size / 2**20
    print(f"{args.out}: {state['task']} weights of step {state['step']} ({size:.1f} MiB)")


def _deepened(state: dict, layers: int) -> dict:
    from vocoder.waveglow import WaveGlow, WaveGlowConfig, deepen

    if state.get("task") != "vocoder":
        raise ValueError(f"--deepen grows a WaveGlow, not a {state.get('task')} checkpoint")
    model = WaveGlow(WaveGlowConfig(**state["task_state"]["model_config"]))
    model.load_state_dict(state["model"])
    grown = deepen(model, layers)
    model_config = {**state["task_state"]["model_config"], "wn_layers": layers}
    config = {**state["config"], "model": {**state["config"]["model"], "wn_layers": layers}}
    task_state = {**state["task_state"], "model_config": model_config}
    return {**state, "config": config, "task_state": task_state, "model": grown.state_dict()}


if __name__ == "__main__":
    main()
