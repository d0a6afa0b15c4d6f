"""``tts-frontend``: show what the frontend makes of a text."""

from __future__ import annotations

import argparse
import json

from cli.common import read_text_arg, run, warn

PROG = "tts-frontend"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Run the Mandarin text frontend: normalization (numbers, dates, money, units), "
        "segmentation, pinyin with tone sandhi, prosody breaks and model symbols.",
        epilog='examples:\n  tts-frontend "今天是2026年11月24日，气温-3°C。"\n'
        '  echo "银行{行|hang2}" | tts-frontend --pinyin\n'
        "  tts-frontend --json --user-dict my_words.txt < text.txt",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text", nargs="*", help="text to read (default: standard input)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--normalize", action="store_true", help="print only the normalized text")
    out.add_argument(
        "--pinyin",
        action="store_true",
        help="print only the toned pinyin after sandhi (tones 1-5, 5 = neutral, ü as v), one line",
    )
    out.add_argument("--json", action="store_true", help="print every sentence's full structure as JSON")
    p.add_argument(
        "--user-dict",
        metavar="FILE",
        help="user dictionary: one word per line followed by its toned syllables (银行 yin2 hang2)",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from frontend import Frontend

    text = read_text_arg(args.text)
    frontend = Frontend(user_dict=args.user_dict)
    if args.normalize:
        print(frontend.normalize(text).strip())
        return 0
    utterances = frontend(text)
    for utt in utterances:
        for w in utt.warnings:
            warn(PROG, w)
    if args.pinyin:
        print(" ".join(s for utt in utterances for s in utt.pinyin))
    elif args.json:
        print(json.dumps([u.to_dict() for u in utterances], ensure_ascii=False, indent=1))
    else:
        for n, utt in enumerate(utterances, 1):
            print(
                f"sentence {n}\n  normalized: {utt.normalized}\n"
                f"  pinyin:     {' '.join(utt.pinyin)}\n  symbols:    {' '.join(utt.symbols)}"
            )
    return 0


if __name__ == "__main__":
    main()
