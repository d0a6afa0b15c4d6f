"""What a trained WaveGlow does with its noise: level and spectral shape of copy synthesis.

    python experiments/waveglow_diagnosis.py runs/waveglow_overfit/run/checkpoints/latest.pt \\
        --feats runs/waveglow_overfit/feats [--utterances 4] [--sigma 0 0.3 0.6]

For the first ``--utterances`` training utterances of ``--feats``: the standard deviation
of the real audio's z per channel (the prior is N(0, 1): far below 1 means the flow maps
audio to a narrow region it never samples from), the reconstruction error of reverse(forward)
(invertibility), and for each σ the RMS level of the output against the recording's and the
mean log-mel difference (nats) in the low (0–19), middle (20–59) and high (60–79) mel bands:
an output whose high bands are far too loud is noise the flow has not learned to shape into
the spectral envelope; one far too quiet at σ = 0 is a flow whose mode is still near
silence. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from statistics import fmean

import torch

ROOT = Path(__file__).resolve().parents[1]

BANDS = {"low": slice(0, 20), "mid": slice(20, 60), "high": slice(60, None)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", type=Path, help="a tts-train vocoder checkpoint")
    p.add_argument("--feats", type=Path, required=True, help="a prepared corpus (its train split is read)")
    p.add_argument("--utterances", type=int, default=4)
    p.add_argument("--sigma", type=float, nargs="+", default=[0.0, 0.3, 0.6])
    p.add_argument("--json", default="experiments/results/waveglow_diagnosis.json")
    args = p.parse_args()

    from core.checkpoint import load_checkpoint
    from core.features import FeatureConfig
    from vocoder.training import SegmentDataset
    from vocoder.waveglow import waveglow_from_checkpoint

    torch.set_num_threads(1)
    torch.manual_seed(0)
    for needed in (args.checkpoint, args.feats / "index.json"):
        if not needed.is_file():
            sys.exit(f"waveglow_diagnosis: {needed} not found")
    state = load_checkpoint(args.checkpoint)
    model = waveglow_from_checkpoint(state)
    data = SegmentDataset(args.feats, "train", FeatureConfig(**state["task_state"]["features"]), None)
    z_std, recon, rows = [], [], {s: {"rms_ratio": [], **{b: [] for b in BANDS}} for s in args.sigma}
    with torch.no_grad():
        for i in range(min(args.utterances, len(data))):
            item = data[i]
            mel, audio = item["mel"][None], item["audio"][None]
            z, _, _ = model(mel, audio)
            z_std.append(z[0].std(1))
            recon.append(float((model.reverse(mel, z) - audio).abs().max()))
            rms = float(audio.pow(2).mean().sqrt())
            for sigma in args.sigma:
                out = model.infer(mel, sigma)[0]
                got = data.extractor.mel(out)[:, : mel.shape[2]]
                rows[sigma]["rms_ratio"].append(float(out.pow(2).mean().sqrt()) / rms)
                for band, where in BANDS.items():
                    rows[sigma][band].append(float((got[where] - mel[0, where, : got.shape[1]]).mean()))
    channels = torch.stack(z_std).mean(0)
    print(f"step {state.get('step')}: z standard deviation per channel of real audio:")
    print("  " + " ".join(f"{v:.2f}" for v in channels.tolist()))
    print(f"reverse(forward(audio)) max error: {max(recon):.2e}")
    print(f"{'sigma':>5} {'RMS / recording':>16} {'low':>7} {'mid':>7} {'high':>7}  (log-mel excess, nats)")
    table = []
    for sigma, r in rows.items():
        row = {"sigma": sigma, **{k: round(fmean(v), 3) for k, v in r.items()}}
        table.append(row)
        bands = " ".join(f"{row[b]:>7.2f}" for b in BANDS)
        print(f"{sigma:>5} {row['rms_ratio']:>16.3f} {bands}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {
                "checkpoint": str(args.checkpoint),
                "step": state.get("step"),
                "utterances": len(recon),
                "z_std_per_channel": [round(v, 3) for v in channels.tolist()],
                "reconstruction_max_error": max(recon),
                "rows": table,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
