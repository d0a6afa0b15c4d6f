"""``tts-prepare``: compute and cache training features for a dataset."""

from __future__ import annotations

import argparse

from cli.common import run, warn

PROG = "tts-prepare"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Compute log-mel, F0 (YIN), energy and symbol ids for every utterance of a "
        "dataset, plus dataset statistics, then phone durations from an HMM aligner trained on the dataset "
        "itself (what the duration-informed models train on). Resumable: a second run computes only what "
        "is missing.",
        epilog="formats: builtin (tts-corpus), ljspeech (metadata.csv + wavs/), "
        "baker (ProsodyLabeling/ + Wave/), aishell3 (content.txt + wav/SPEAKER/)",
    )
    p.add_argument("--data", required=True, help="dataset folder")
    p.add_argument("--config", help="YAML with a features: section (default: built-in defaults)")
    p.add_argument("--out", required=True, help="feature folder (created)")
    p.add_argument("--format", default="auto", choices=["auto", "builtin", "ljspeech", "baker", "aishell3"])
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set features.n_mels=64",
    )
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument(
        "--max-seconds",
        type=float,
        metavar="S",
        help="leave out files longer than S seconds, read from their headers before any is decoded "
        "(default: the config's data.max_seconds, else 30; 0: no limit). Feature extraction and the "
        "aligner need memory in proportion to a file's length: split long recordings first",
    )
    p.add_argument(
        "--no-align",
        action="store_true",
        help="skip phone durations (the HMM aligner); only attention models train without them",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from core.config import apply_overrides, from_dict, load_yaml
    from core.data.prepare import MAX_SECONDS, prepare
    from core.features import FeatureConfig

    data = apply_overrides(load_yaml(args.config) if args.config else {}, args.set)
    config = from_dict(FeatureConfig, data.get("features"), "features.")
    max_seconds = args.max_seconds
    if max_seconds is None:
        max_seconds = float((data.get("data") or {}).get("max_seconds", MAX_SECONDS))
    if max_seconds < 0:
        raise ValueError("--max-seconds must not be negative")
    summary = prepare(
        args.data,
        args.out,
        config,
        args.format,
        args.jobs,
        align=not args.no_align,
        max_seconds=max_seconds or None,
    )
    for problem in summary["problems"][:20]:
        warn(PROG, problem)
    if len(summary["problems"]) > 20:
        warn(PROG, f"... {len(summary['problems']) - 20} more in {args.out}/problems.txt")
    print(
        f"{args.out}: {summary['utterances']} utterances ({summary['hours']:.2f} h), "
        f"{summary['computed']} computed now, "
        + (f"{summary['aligned']} aligned, " if summary["aligned"] is not None else "")
        + f"{len(summary['problems'])} problems"
    )
    return 0 if summary["utterances"] else 1


if __name__ == "__main__":
    main()
