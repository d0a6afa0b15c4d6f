"""Benchmark: deployment variants of a voice's acoustic model, measured for size, speed and
quality against the float32 PyTorch model.

    python benchmarks/deployment.py --data data/feats --limit 40

Variants: PyTorch float32 (the reference), PyTorch dynamic int8, structured pruning (20%
and 40% of rows, no fine-tuning), TorchScript float32 / int8, ONNX Runtime float32 / int8
(onnxruntime's dynamic quantization). The vocoder is Griffin-Lim for all, so only the
acoustic model differs.

- size: the acoustic model as stored (the voice's acoustic.pt; an export's graph files;
  ``torch.save`` of a changed model's state dict), and gzip-compressed (zeroed rows of a
  pruned model only shrink there).
- speed: acoustic real-time factor for a fixed 300 output frames (stop token disabled) from a
  40-symbol input, best of --repeats after a warm-up, torch's default threads on this machine.
- parity (float32 exports): ``tts.models.tacotron2_export.lockstep`` against PyTorch on one sentence,
  and how many leading frames of free-running synthesis (same seed) agree within 1e-4.
- quality (with --data): each variant reads the first --limit sentences of the test split,
  the n-th after ``torch.manual_seed(n)`` (the same prenet dropout draws for every variant):
  the shipped recognizer's error rate, MCD-DTW against the real recordings, and MCD-DTW
  against the float32 PyTorch output (what the variant alone changes).
Prints a table and writes JSON (default benchmarks/results/deployment.json).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]

VARIANTS = {  # name: (backend, quantize, prune)
    "torch": ("torch", None, None),
    "torch-int8": ("torch", "int8", None),
    "torch-prune20": ("torch", None, 0.2),
    "torch-prune40": ("torch", None, 0.4),
    "torchscript": ("torchscript", None, None),
    "torchscript-int8": ("torchscript", "int8", None),
    "onnx": ("onnx", None, None),
    "onnx-int8": ("onnx", "int8", None),
}


def _sizes(blob: bytes) -> dict:
    return {"mb": round(len(blob) / 1e6, 2), "gzip_mb": round(len(gzip.compress(blob, 6)) / 1e6, 2)}


def build(name: str, voice: Path, work: Path):
    """The variant's Synthesizer and the bytes of its acoustic model as stored."""
    from synthesis.deploy.compress import prune
    from synthesis.deploy.export import export_voice
    from synthesis.pipeline import Synthesizer

    backend, quantize, amount = VARIANTS[name]
    if backend == "torch":
        synth = Synthesizer(voice, vocoder="griffin-lim", quantize=quantize)
        if amount:
            synth.voice.acoustic = prune(synth.voice.acoustic, amount)
        if quantize or amount:
            buffer = io.BytesIO()
            torch.save(synth.voice.acoustic.state_dict(), buffer)
            blob = buffer.getvalue()
        else:
            blob = (voice / "acoustic.pt").read_bytes()
        return synth, blob
    manifest = export_voice(voice, work / name, backend, quantize, amount, log=lambda _: None)
    files = sorted({g["file"] for n, g in manifest["graphs"].items() if n != "vocoder"})
    return Synthesizer(work / name, vocoder="griffin-lim"), b"".join(
        (work / name / f).read_bytes() for f in files
    )


def acoustic_rtf(synth, frames: int, repeats: int) -> float:
    acoustic = synth.voice.acoustic
    c = acoustic.config
    torch.manual_seed(0)
    symbols = torch.randint(1, 60, (1, 40))
    speakers = torch.tensor([0]) if c.n_speakers > 1 else None
    threshold, c.gate_threshold = c.gate_threshold, 1.1  # no stop: a fixed amount of work
    try:
        run = lambda: acoustic.infer(symbols, speakers=speakers, max_steps=frames // c.reduction)
        run()
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = run()
            best = min(best, time.perf_counter() - t0)
        assert int(out.lengths[0]) == frames
    finally:
        c.gate_threshold = threshold
    f = synth.voice.features
    return best / (frames * f.hop_length / f.sample_rate)


PARITY_TEXT = "今天是2026年11月24日，天气很好。我们去公园散步吧？"


def parity(synth, reference) -> dict:
    """Against the float32 PyTorch model on one real sentence: the largest difference per graph
    in lockstep (PyTorch's state fed at every step), and for how many leading frames the
    free-running outputs (same seed) stay within 1e-4."""
    from tts.models.tacotron2_export import lockstep

    fe = reference.frontend
    symbols = torch.tensor([fe.encode(fe(PARITY_TEXT)[0])])
    lengths = torch.tensor([symbols.shape[1]])
    speakers = torch.tensor([0]) if reference.voice.acoustic.config.n_speakers > 1 else None
    worst = lockstep(reference.voice.acoustic, synth.voice.acoustic, symbols, lengths, speakers, steps=450)
    runs = []
    for model in (reference.voice.acoustic, synth.voice.acoustic):
        torch.manual_seed(1)
        runs.append(model.infer(symbols, lengths, speakers).mel_post[0])
    n = min(runs[0].shape[1], runs[1].shape[1])
    close = ((runs[0][:, :n] - runs[1][:, :n]).abs().amax(0) <= 1e-4).int()
    return {
        "lockstep_max_abs": {k: float(f"{v:.2e}") for k, v in worst.items()},
        "free_run_frames_within_1e-4": int(close.cumprod(0).sum()),
        "free_run_frames": n,
    }


def quality(name: str, synth, feats: Path, limit: int, work: Path) -> dict:
    from evaluation.evaluate import folder_pairs, score, synthesize_split
    from recognizer.api import DEFAULT_RECOGNIZER

    pairs, rtf, features = synthesize_split(
        synth, feats, "test", work / "audio" / name, limit=limit, progress=False
    )
    report = score(pairs, features, DEFAULT_RECOGNIZER, progress=False)
    out = {
        "cer_synthesized": round(report["intelligibility"]["cer_synthesized"], 4),
        "cer_reference": round(report["intelligibility"]["cer_reference"], 4),
        "mcd_db": round(report["aggregate"]["mcd_db"]["mean"], 3),
        "mcd_db_ci95": round(report["aggregate"]["mcd_db"]["ci95"], 3),
        "end_to_end_rtf": round(rtf["end_to_end"], 4),
    }
    if name != "torch":
        rows = folder_pairs(work / "audio" / name / "audio", work / "audio" / "torch" / "audio")
        assert len(rows) == len(pairs)
        vs = score(rows, features, None, progress=False)["aggregate"]["mcd_db"]
        out["mcd_vs_torch_db"] = round(vs["mean"], 3)
    else:
        out["mcd_vs_torch_db"] = 0.0
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, default=ROOT / "tts" / "voices" / "default", help="voice folder")
    p.add_argument("--data", type=Path, help="prepared features (tts-prepare) for the quality columns")
    p.add_argument("--limit", type=int, default=40, help="test sentences per variant (default 40)")
    p.add_argument("--frames", type=int, default=300)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "deployment.json")
    args = p.parse_args()
    if "torch" not in args.variants:
        args.variants.insert(0, "torch")  # the reference for the comparisons
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in args.variants:
            t0 = time.perf_counter()
            synth, blob = build(name, args.model, work)
            row = {
                "variant": name,
                **_sizes(blob),
                "acoustic_rtf": round(acoustic_rtf(synth, args.frames, args.repeats), 4),
            }
            if name == "torch":
                reference = synth
            elif VARIANTS[name][0] != "torch" and not VARIANTS[name][1]:
                row["parity"] = parity(synth, reference)
            if args.data:
                row.update(quality(name, synth, args.data, args.limit, work))
            rows.append(row)
            print(f"{name}: {json.dumps(row)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    cols = ["variant", "mb", "gzip_mb", "acoustic_rtf"] + (
        ["cer_synthesized", "mcd_db", "mcd_vs_torch_db"] if args.data else []
    )
    print(" | ".join(f"{c:>16}" for c in cols))
    for r in rows:
        print(" | ".join(f"{r[c]:>16}" for c in cols))
    result = {
        "command": " ".join(["python", "benchmarks/deployment.py", *sys.argv[1:]]),
        "machine": {
            "cpu_count": os.cpu_count(),
            "threads": torch.get_num_threads(),
            "platform": platform.platform(),
            "torch": torch.__version__,
        },
        "model": str(args.model),
        "frames": args.frames,
        "test_sentences": args.limit if args.data else 0,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
