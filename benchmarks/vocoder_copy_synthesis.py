"""Copy-synthesis: ground-truth mel → vocoder → mel, WaveGlow against Griffin-Lim.

    python benchmarks/vocoder_copy_synthesis.py --checkpoint runs/waveglow_small/checkpoints/latest.pt \\
        --feats data/feats --split test --limit 20

Prints, per vocoder, the mean log-mel L1 distance (nats) between the reference mel and
the mel of the vocoded audio, and the vocoder's real-time factor on this machine; writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="WaveGlow training checkpoint")
    p.add_argument("--feats", default="data/feats")
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--sigma", type=float, default=0.6)
    p.add_argument("--json", default="benchmarks/results/vocoder_copy_synthesis.json")
    args = p.parse_args()

    import numpy as np
    import torch

    from core.checkpoint import load_checkpoint
    from core.features import FeatureConfig, FeatureExtractor
    from vocoder.denoiser import Denoiser
    from vocoder.griffin_lim import GriffinLim
    from vocoder.training import SegmentDataset, spectral_distance
    from vocoder.waveglow import waveglow_from_checkpoint

    state = load_checkpoint(args.checkpoint)
    features = FeatureConfig(**state["config"]["features"])
    model = waveglow_from_checkpoint(state)
    denoiser = Denoiser(model)
    data = SegmentDataset(Path(args.feats), args.split, features, None)
    extractor = FeatureExtractor(features)
    gl = GriffinLim(features)
    rows = {"waveglow": [], "waveglow+denoiser": [], "griffin_lim": []}
    seconds = {k: 0.0 for k in rows}
    audio_s = 0.0
    torch.manual_seed(0)
    for i in range(min(args.limit, len(data))):
        mel = data[i]["mel"]
        audio_s += mel.shape[1] * features.hop_length / features.sample_rate
        with torch.no_grad():
            t = time.perf_counter()
            wg = model.infer(mel[None], args.sigma)
            seconds["waveglow"] += time.perf_counter() - t
            den = denoiser(wg, 0.01).clamp(-1, 1)
            seconds["waveglow+denoiser"] += time.perf_counter() - t  # vocoder and denoiser
            t = time.perf_counter()
            g = gl(mel)
            seconds["griffin_lim"] += time.perf_counter() - t
        rows["waveglow"].append(spectral_distance(extractor, mel, wg[0]))
        rows["waveglow+denoiser"].append(spectral_distance(extractor, mel, den[0]))
        rows["griffin_lim"].append(spectral_distance(extractor, mel, g))
    n = len(rows["waveglow"])
    result = {
        "checkpoint": args.checkpoint,
        "step": state["step"],
        "split": args.split,
        "utterances": n,
        "audio_seconds": round(audio_s, 1),
        "threads": torch.get_num_threads(),
        "cores": os.cpu_count(),
        "sigma": args.sigma,
        "vocoders": {
            k: {
                "log_mel_l1": round(float(np.mean(v)), 4),
                "log_mel_l1_std": round(float(np.std(v)), 4),
                "rtf": round(seconds[k] / audio_s, 4),
            }
            for k, v in rows.items()
        },
    }
    print(
        f"{'vocoder':<20}{'log-mel L1':>12}{'RTF':>10}   ({n} {args.split} utterances, step {state['step']})"
    )
    for k, v in result["vocoders"].items():
        print(f"{k:<20}{v['log_mel_l1']:>12.4f}{v['rtf']:>10.4f}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
