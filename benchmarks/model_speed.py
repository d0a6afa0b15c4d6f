"""Benchmark: the shipped small models against the full-size configurations, and
Griffin-Lim against WaveGlow: real-time factor and peak memory on this machine's CPU.

    python benchmarks/model_speed.py --frames 300

Same code, random weights (speed does not depend on training), a fixed amount of work:
the acoustic model runs a fixed number of output frames (decoder steps = frames / its
reduction factor; the stop token is disabled), on a 40-symbol input; each vocoder turns
a mel of the same number of frames into audio. Every case runs in its own process after
one warm-up run, and reports the best of --repeats runs; peak memory is that process's
maximum resident set size (so it includes PyTorch itself, about the same for every case).
Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "tacotron2_small": ("acoustic", "configs/tacotron2_small.yaml"),
    "tacotron2_full": ("acoustic", "configs/tacotron2_full.yaml"),
    "griffin_lim": ("griffin-lim", "configs/tacotron2_small.yaml"),
    "waveglow_small": ("waveglow", "configs/waveglow_small.yaml"),
    "waveglow_full": ("waveglow", "configs/waveglow_full.yaml"),
}


def _one(name: str, frames: int, repeats: int) -> dict:
    import torch
    import yaml

    from core.features import FeatureConfig

    kind, config_path = CASES[name]
    cfg = yaml.safe_load((ROOT / config_path).read_text(encoding="utf-8"))
    features = FeatureConfig(**cfg["features"])
    torch.manual_seed(0)
    mel = torch.randn(1, features.n_mels, frames) - 5.0
    if kind == "acoustic":
        from frontend import DEFAULT_TABLE
        from tts.models.tacotron2 import Tacotron2, Tacotron2Config

        # one speaker; a stop threshold no probability passes: exactly the requested steps
        model = Tacotron2(
            Tacotron2Config(
                **{**cfg["model"], "n_speakers": 1, "gate_threshold": 1.1, "n_symbols": len(DEFAULT_TABLE)}
            )
        ).eval()
        steps = frames // model.config.reduction
        symbols = torch.randint(1, 60, (1, 40))
        run = lambda: model.infer(symbols, max_steps=steps)
        params = sum(p.numel() for p in model.parameters())
    elif kind == "griffin-lim":
        from vocoder.griffin_lim import GriffinLim

        gl = GriffinLim(features)
        run, params, steps = (lambda: gl(mel[0])), 0, None
    else:
        from vocoder.waveglow import WaveGlow, WaveGlowConfig

        model = WaveGlow(WaveGlowConfig(**cfg["model"])).eval()
        model.remove_weight_norm()
        run, params, steps = (lambda: model.infer(mel, 0.6)), sum(p.numel() for p in model.parameters()), None
    with torch.no_grad():
        run()  # warm-up
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - t0)
    audio_s = frames * features.hop_length / features.sample_rate
    return {
        "case": name,
        "params": params,
        "frames": frames,
        "decoder_steps": steps,
        "seconds": round(best, 4),
        "audio_seconds": round(audio_s, 3),
        "rtf": round(best / audio_s, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threads": torch.get_num_threads(),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", type=int, default=300, help="mel frames per case (300 ≈ 3.5 s of audio)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    p.add_argument("--json", default="benchmarks/results/model_speed.json")
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(_one(args.one, args.frames, args.repeats)))
        return
    rows = []
    for name in args.cases:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                name,
                "--frames",
                str(args.frames),
                "--repeats",
                str(args.repeats),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if out.returncode != 0:
            sys.exit(f"{name} failed: {out.stderr.strip().splitlines()[-1]}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(
            f"{r['case']:<16} {r['params'] / 1e6:>7.2f} M params  {r['seconds']:>8.3f} s  RTF "
            f"{r['rtf']:>7.4f}  "
            f"peak {r['peak_rss_mb']:>7.1f} MB",
            flush=True,
        )
    by = {r["case"]: r for r in rows}
    summary = {}
    if "tacotron2_small" in by and "griffin_lim" in by:
        summary["small_acoustic_plus_griffin_lim_rtf"] = round(
            by["tacotron2_small"]["rtf"] + by["griffin_lim"]["rtf"], 4
        )
    if "tacotron2_small" in by and "waveglow_small" in by:
        summary["small_acoustic_plus_waveglow_small_rtf"] = round(
            by["tacotron2_small"]["rtf"] + by["waveglow_small"]["rtf"], 4
        )
    if "tacotron2_full" in by and "waveglow_full" in by:
        summary["full_acoustic_plus_waveglow_full_rtf"] = round(
            by["tacotron2_full"]["rtf"] + by["waveglow_full"]["rtf"], 4
        )
    for k, v in summary.items():
        print(f"{k}: {v}")
    result = {
        "frames": args.frames,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "cases": rows,
        "summary": summary,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
