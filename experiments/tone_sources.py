"""Where a duration-informed voice loses its syllables: the validation probe's sentences
synthesized with each prediction replaced in turn by the truth.

    python experiments/tone_sources.py runs/crop256_f2 [--checkpoint CKPT] [--sentences 20]

For the first ``--sentences`` validation sentences of the run's corpus (the probe's), the
model's log-mels are vocoded with Griffin-Lim and scored by the shipped recognizer (toned /
tones ignored), with

- everything predicted (free-running synthesis, what the probe measures);
- the recorded durations, pitch and energy predicted;
- the recorded durations, the predicted pitch contour moved to the recording's pitch level
  (each utterance's mean over voiced frames), or the recorded contour at the predicted level;
- the recorded durations and pitch, then durations, pitch and energy;
- and, as the floor, Griffin-Lim copies of the recordings' own log-mels.

The gaps between rows say which prediction costs what. Also reported: the pitch
predictor's mean squared error on voiced frames (normalized log-F0), whole and after each
utterance's mean is removed (the contour alone). Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def voiced_mean(values: torch.Tensor, voiced: torch.Tensor) -> torch.Tensor:
    """(B, T) values, (B, T) voiced weights → (B, 1) mean over voiced frames."""
    return (values * voiced).sum(1, keepdim=True) / voiced.sum(1, keepdim=True).clamp_min(1.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", type=Path, help="a tts-train --out folder of a duration-informed model")
    p.add_argument("--checkpoint", type=Path, help="default: RUN/checkpoints/latest.pt")
    p.add_argument("--sentences", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", default="experiments/results/tone_sources.json")
    args = p.parse_args()

    from cli.train import load_run_config
    from core.checkpoint import load_checkpoint
    from core.layers import length_mask
    from tts.training.acoustic import AcousticTask

    torch.set_num_threads(args.threads)
    checkpoint = args.checkpoint or args.run / "checkpoints" / "latest.pt"
    for needed in (args.run / "config.yaml", checkpoint):
        if not needed.is_file():
            sys.exit(f"tone_sources: {needed} not found (RUN is a tts-train --out folder)")
    config = load_run_config(str(args.run / "config.yaml"), [f"validation.sentences={args.sentences}"])
    task = AcousticTask(config)
    if not task.durational:
        sys.exit("tone_sources: needs a duration-informed model (decoder parallel or autoregressive)")
    state = load_checkpoint(checkpoint)
    task.model.load_state_dict(state["model"])
    model = task.model.eval()
    probe = task.probe()
    batch = task.collate(probe.items)
    lengths = batch["mel_lengths"]
    frame_mask = length_mask(lengths, batch["mel"].shape[2]).float()
    voiced = batch["voiced"].float()

    rows = []

    def score(name: str, mels: torch.Tensor, frames: torch.Tensor) -> None:
        errors = probe.score_audio(probe.vocode(mels, frames))
        toned, toneless = errors["asr_error"], errors["asr_error_toneless"]
        rows.append({"synthesis": name, "toned": round(toned, 4), "tones_ignored": round(toneless, 4)})
        print(f"{name:<60} {toned:>6.3f} {toneless:>8.3f}", flush=True)

    print(f"{'synthesis':<60} {'toned':>6} {'no tones':>8}")
    with torch.no_grad():
        speakers = task._speakers(batch)
        out = model.infer(batch["symbols"], batch["symbol_lengths"], speakers)
        score("free-running: everything predicted", out.mel_post, out.lengths)
        inputs = task._inputs(batch)
        durations = batch["durations"]
        predicted = model(*inputs, None, None, durations)
        score("recorded durations; pitch, energy predicted", model.denormalize(predicted.mel_post), lengths)
        pitch, truth = predicted.pitch_pred, batch["contour"]
        cases = [
            (
                "recorded durations; predicted contour at the recorded level",
                (pitch - voiced_mean(pitch, voiced) + voiced_mean(truth, voiced)) * frame_mask,
                None,
            ),
            (
                "recorded durations; recorded contour at the predicted level",
                (truth - voiced_mean(truth, voiced) + voiced_mean(pitch, voiced)) * frame_mask,
                None,
            ),
            ("recorded durations and pitch; energy predicted", truth, None),
            ("recorded durations, pitch and energy", truth, batch["energy"]),
        ]
        for name, pitch_in, energy_in in cases:
            o = model(*inputs, pitch_in, energy_in, durations)
            score(name, model.denormalize(o.mel_post), lengths)
        score("Griffin-Lim copies of the recordings (the floor)", model.denormalize(batch["mel"]), lengths)
    error = (pitch - truth) * voiced
    contour_error = (pitch - voiced_mean(pitch, voiced) - truth + voiced_mean(truth, voiced)) * voiced
    mse = float((error**2).sum() / voiced.sum())
    contour_mse = float((contour_error**2).sum() / voiced.sum())
    print(f"pitch predictor, voiced frames: MSE {mse:.3f}, contour alone {contour_mse:.3f}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {
                "run": str(args.run),
                "checkpoint": str(checkpoint),
                "step": state.get("step"),
                "sentences": len(probe.references),
                "rows": rows,
                "pitch_mse_voiced": round(mse, 4),
                "pitch_contour_mse_voiced": round(contour_mse, 4),
            },
            indent=1,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
