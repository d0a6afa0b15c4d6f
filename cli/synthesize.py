"""``tts-synthesize``: text → WAV with a trained voice."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from cli.common import run, text_chunks, warn

if TYPE_CHECKING:
    from synthesis.sentences import Timings

PROG = "tts-synthesize"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Speak Mandarin text (numbers, dates, some English) into a 16-bit WAV file.",
        epilog='examples:\n  tts-synthesize "今天是2026年11月24日，天气很好。" -o out.wav\n'
        "  tts-synthesize --text-file lines.txt -o out_dir/      # one WAV per line, each as it is made\n"
        "  tts-synthesize --text-file book.txt -o - | aplay       # one stream, audio as it is made\n"
        '  echo "你好" | tts-synthesize -o hello.wav --pitch-shift 3 --vocoder griffin-lim',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text", nargs="*", help="text to speak (default: standard input, at most 1 MB)")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="WAV file to write (a folder with --text-file); '-' streams it to standard output, and a "
        "FIFO or a device (/dev/null) is written through, never replaced; a symlink's target is written",
    )
    p.add_argument(
        "--text-file",
        help="UTF-8 file, one utterance per line, each to its own WAV in the -o folder (-o -: one stream)",
    )
    p.add_argument(
        "--model",
        help="voice folder, export, or a shipped voice by name (default: baker-distilled; also espeak-ng)",
    )
    p.add_argument("--speaker", help="speaker name or number (multi-speaker voices)")
    p.add_argument(
        "--pitch-shift",
        type=float,
        default=0.0,
        metavar="SEMITONES",
        help="raise (+) or lower (-) pitch, -12 to 12 semitones (default 0)",
    )
    p.add_argument(
        "--energy-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="scale loudness/energy, more than 0 and at most 4 (default 1 = as trained)",
    )
    p.add_argument(
        "--vocoder",
        choices=["auto", "waveglow", "griffin-lim"],
        default="auto",
        help="auto (default): the voice's WaveGlow if it has one, else Griffin-Lim",
    )
    p.add_argument(
        "--sigma", type=float, default=0.6, help="WaveGlow sampling temperature, 0 to 2 (default 0.6)"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing output file that is not a WAV")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ... (torch backend)")
    p.add_argument(
        "--backend",
        choices=["torch", "torchscript", "onnx"],
        help="torch for a voice folder; torchscript/onnx for a folder made by tts-export "
        "(default: what --model is)",
    )
    p.add_argument(
        "--quantize",
        choices=["int8"],
        help="dynamic int8 quantization of the acoustic model at load (torch backend, CPU)",
    )
    p.add_argument("--user-dict", metavar="FILE", help="user dictionary for the frontend")
    p.add_argument("--verbose", action="store_true", help="print where it wrote and the real-time factor")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _writable(path: Path, force: bool = False) -> None:
    from core.files import resolve_output

    kind, path = resolve_output(path)  # a symlink's target is what gets written
    if kind != "file":
        return  # standard output, a FIFO or a device: written through
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a folder (give a .wav file name)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"cannot write {path}: permission denied")
    if path.is_file() and path.stat().st_size and not force:
        with open(path, "rb") as f:
            head = f.read(12)
        if not (head[:4] == b"RIFF" and head[8:12] == b"WAVE"):
            raise ValueError(
                f"{path} exists and is not a WAV file; not overwriting it (pass --force to overwrite it)"
            )


def _write(synth, first: str, rest: Iterable[str], path: Path, args) -> tuple[Timings, int]:
    """Speak ``first`` and then the pieces of ``rest`` (one text, in order) into one WAV file,
    written as it goes, with the pause between sentences between pieces too; warnings go to
    stderr as they come. A piece with nothing to read is
    skipped with a warning if another piece is spoken. → (the time it took, sentences)."""
    import numpy as np
    from tqdm import tqdm

    from core.audio import wav_output
    from frontend import NothingToRead
    from synthesis.sentences import PAUSE_S, Timings

    timings, planned = Timings(), 0
    # on a terminal, long input shows sentences done / total and the audio written so far
    bar = tqdm(desc=path.name, unit="sentence", disable=None if len(first) >= 200 else True, leave=False)
    spoken, nothing_to_read = 0, None
    with bar:
        with wav_output(path, synth.sample_rate) as write:
            for text in itertools.chain([first], rest):
                try:
                    for sentence in synth.sentences(
                        text,
                        speaker=args.speaker,
                        pitch_shift=args.pitch_shift,
                        energy_scale=args.energy_scale,
                    ):
                        if spoken and sentence.index == 0:  # a piece after another: the pause between
                            write(np.zeros(int(PAUSE_S * synth.sample_rate), dtype=np.float32))
                        write(sentence.audio)
                        for w in sentence.warnings:
                            warn(PROG, w)
                        timings += sentence.timings
                        spoken += 1
                        bar.total = planned + sentence.of
                        bar.set_postfix_str(f"{timings.audio_seconds:.0f} s of audio", refresh=False)
                        bar.update(1)
                    planned = spoken
                except NothingToRead as err:
                    nothing_to_read = nothing_to_read or err
            if not spoken:
                raise nothing_to_read or NothingToRead("empty text")
    if nothing_to_read:
        warn(PROG, f"{path.name}: part of the input was left out: {nothing_to_read}")
    return timings, spoken


def _main(args: argparse.Namespace) -> int:
    from synthesis import open_synthesizer

    if args.text_file:
        try:
            lines = [ln.strip() for ln in Path(args.text_file).read_text(encoding="utf-8").splitlines()]
        except (OSError, UnicodeDecodeError) as err:
            raise ValueError(f"cannot read {args.text_file}: {err}") from None
        lines = [ln for ln in lines if ln]
        if not lines:
            raise ValueError(f"{args.text_file} has no text")
        if args.output == "-":  # every line into one stream, in order
            jobs = [(lines[0], lines[1:], Path("-"))]
        else:
            out_dir = Path(args.output)
            out_dir.mkdir(parents=True, exist_ok=True)
            jobs = [(line, (), out_dir / f"{n:04d}.wav") for n, line in enumerate(lines, 1)]
    else:
        chunks = text_chunks(args.text)  # standard input is spoken as it is read
        jobs = [(next(chunks), chunks, Path(args.output))]  # the first piece: input errors before loading
    for _, _, path in jobs:
        _writable(path, args.force)
    from synthesis.sentences import check_controls

    check_controls(args.pitch_shift, args.energy_scale, args.sigma)  # before loading anything
    synth = open_synthesizer(
        args.model,
        vocoder=args.vocoder,
        device=args.device,
        sigma=args.sigma,
        user_dict=args.user_dict,
        backend=args.backend,
        quantize=args.quantize,
    )
    from frontend import FrontendError
    from synthesis.sentences import Timings

    for w in synth.warnings:
        warn(PROG, w)
    failed, r, sentences = 0, Timings(), 0
    for first, rest, path in jobs:
        try:
            timings, spoken = _write(synth, first, rest, path, args)
            r, sentences = r + timings, sentences + spoken
        except FrontendError as err:
            if len(jobs) == 1:
                raise
            warn(PROG, f"{path.name}: {err}")
            failed += 1
            continue
        if args.verbose:
            print(f"wrote {path}", file=sys.stderr)
    if args.text_file and args.output != "-":
        (Path(args.output) / "index.tsv").write_text(
            "".join(f"{p.name}\t{t}\n" for t, _, p in jobs), encoding="utf-8"
        )
    if args.verbose:
        print(
            f"{sentences} sentences, {r.audio_seconds:.2f} s of audio; real-time factor {r.rtf:.3f} "
            f"({synth.backend}{' int8' if args.quantize else ''}) "
            f"(frontend {r.frontend_seconds:.2f} s, acoustic {r.acoustic_seconds:.2f} s, "
            f"{synth.vocoder_name} {r.vocoder_seconds:.2f} s, {os.cpu_count()} cores)",
            file=sys.stderr,
        )
    return 1 if failed == len(jobs) else 0


if __name__ == "__main__":
    main()
