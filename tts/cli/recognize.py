"""``tts-recognize``: toned pinyin of speech files, from a trained recognizer."""
from __future__ import annotations

import argparse
import sys

from .common import run, warn

PROG = "tts-recognize"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG, description="Recognize Mandarin speech as toned pinyin syllables (tones 1-5, ü as v), "
        "one line per file: FILE<TAB>syllables. With --text, also the syllable error rate against it.",
        epilog="example:\n  tts-recognize --model runs/recognizer/checkpoints/best.pt a.wav b.wav",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="audio files (any rate, mono or stereo)")
    p.add_argument("--model", required=True, help="recognizer checkpoint (tts-train, task recognizer)")
    p.add_argument("--beam", type=int, default=0, help="prefix beam search width (0: greedy)")
    p.add_argument("--text", action="append", metavar="TEXT",
                   help="reference text for each file, in order (repeat once per file)")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from recognizer.api import Recognizer
    from recognizer.metrics import error_rate
    from tts.data.audio import AudioError

    if args.text and len(args.text) != len(args.files):
        raise ValueError(f"{len(args.files)} files but {len(args.text)} --text references")
    asr = Recognizer.load(args.model)
    failed, refs, hyps = 0, [], []
    for i, path in enumerate(args.files):
        try:
            syllables = asr.transcribe([path], args.beam)[0]
        except AudioError as err:
            warn(PROG, str(err))
            failed += 1
            continue
        print(f"{path}\t{' '.join(syllables)}")
        if args.text:
            from frontend import Frontend

            refs.append([p for u in Frontend()(args.text[i]) for p in u.pinyin])
            hyps.append(syllables)
    if refs:
        print(f"syllable error rate: {error_rate(refs, hyps):.4f} over {sum(map(len, refs))} syllables",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    main()
