"""``tts-export``: a voice as TorchScript or ONNX graphs (optionally int8 or pruned)."""

from __future__ import annotations

import argparse

from cli.common import run

PROG = "tts-export"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Export a voice's acoustic model (encoder, decoder step, postnet) and its WaveGlow to "
        "TorchScript or ONNX, checked against PyTorch before it is written. The decoder loop stays in "
        "Python; tts-synthesize --model OUT runs the export (--backend is read from the folder). "
        "Security: loading a TorchScript export runs code stored in its files, so trust it as you would "
        "trust a program (the SHA-256 sums in export.json catch damage, not tampering: whoever writes the "
        "graphs writes them too). ONNX exports hold no code: share voices as ONNX.",
        epilog="examples:\n  tts-export --format onnx --out exports/default-onnx\n"
        "  tts-export --model voices/mine --format torchscript --quantize int8 --out exports/mine-int8\n"
        '  tts-synthesize "你好" -o hello.wav --model exports/default-onnx',
    )
    p.add_argument("--model", help="voice folder (default: the voice shipped with the toolkit)")
    p.add_argument("--format", required=True, choices=["torchscript", "onnx"], help="what to export to")
    p.add_argument("--out", required=True, help="folder to write (replaced if it holds an earlier export)")
    p.add_argument(
        "--quantize",
        choices=["int8"],
        help="dynamic int8 quantization of the acoustic model's LSTM and Linear layers "
        "(PyTorch's for TorchScript, onnxruntime's for ONNX); WaveGlow stays float32",
    )
    p.add_argument(
        "--prune",
        type=float,
        metavar="FRACTION",
        help="structured pruning: zero this fraction (0-1) of the rows of each acoustic layer by L2 norm",
    )
    p.add_argument("--opset", type=int, default=17, help="ONNX opset (14-20, default 17)")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from synthesis.catalogue import DEFAULT_VOICE
    from synthesis.deploy.export import check_options, export_voice

    check_options(args.format, args.quantize, args.prune, args.opset)  # before loading anything
    manifest = export_voice(
        args.model or DEFAULT_VOICE, args.out, args.format, args.quantize, args.prune, args.opset
    )
    sizes = {}
    for g in manifest["graphs"].values():
        sizes[g["file"]] = g["bytes"]
    parity = ", ".join(f"{k} {v:.1e}" for k, v in manifest["parity"]["max_abs_difference"].items())
    print(
        f"{args.out}: {args.format}, {len(manifest['graphs'])} graphs in {len(sizes)} "
        f"file{'s' * (len(sizes) > 1)}, "
        f"{sum(sizes.values()) / 1e6:.1f} MB; largest difference from PyTorch: {parity}"
    )
    return 0


if __name__ == "__main__":
    main()
