"""``tts-voice``: package training checkpoints as a voice folder, or describe one."""

from __future__ import annotations

import argparse
import json

from cli.common import run

PROG = "tts-voice"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG, description="Make or inspect a voice folder (what tts-synthesize --model reads)."
    )
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="make a voice from training checkpoints")
    b.add_argument(
        "--acoustic",
        required=True,
        help="acoustic checkpoint (e.g. runs/tacotron2_small/checkpoints/best.pt)",
    )
    b.add_argument("--vocoder", help="WaveGlow checkpoint (without one the voice uses Griffin-Lim)")
    b.add_argument("--out", required=True, help="voice folder to write")
    b.add_argument("--name", help="voice name (default: the folder name)")
    b.add_argument("--half", action="store_true", help="store weights as float16 (half the size)")
    i = sub.add_parser("info", help="print a voice's card")
    i.add_argument("voice", help="voice folder")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from synthesis.voice import build_voice, load_voice

    if args.command == "build":
        card = build_voice(args.acoustic, args.out, args.vocoder, args.name, args.half)
        load_voice(args.out)  # check that it loads before saying so
        print(
            f"{args.out}: voice {card['name']!r}, acoustic step {card['acoustic']['step']}, "
            f"vocoder {'step ' + str(card['vocoder']['step']) if card['vocoder'] else 'Griffin-Lim'}"
        )
    else:
        voice = load_voice(args.voice)
        card = {k: v for k, v in voice.card.items() if k not in ("acoustic", "vocoder")}
        card["acoustic_step"] = voice.card["acoustic"]["step"]
        card["vocoder_step"] = voice.card["vocoder"]["step"] if voice.card["vocoder"] else None
        print(json.dumps(card, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    main()
