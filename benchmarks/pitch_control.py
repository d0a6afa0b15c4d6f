"""Pitch control on a voice: how far ``--pitch-shift`` moves the median F0 of its audio.

    python benchmarks/pitch_control.py [VOICE]        # default: the shipped voice

Four sentences (none in the built-in corpus) at shifts 0, ±2 and ±4 semitones, each
synthesized after ``torch.manual_seed(0)``; F0 by the project's YIN (threshold 0.3, as
``tests/synthesis/test_default_voice.py``) over the voiced frames. Prints the move of each
sentence's median F0 and the share of voiced frames; writes JSON.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from core.pitch import yin
from synthesis.pipeline import Synthesizer

TEXTS = [
    "今天天气很好，我们一起去公园散步吧。",
    "他说明天要去北京开会。",
    "这本书的内容非常有意思。",
    "请问火车站怎么走？",
]


def medians(tts, shift):
    values, voiced = [], []
    for text in TEXTS:
        torch.manual_seed(0)
        audio = tts(text, pitch_shift=shift)
        f0, v = yin(audio, tts.sample_rate, 256, threshold=0.3)
        values.append(12 * np.log2(np.median(f0[v])))
        voiced.append(v.mean())
    return np.array(values), float(np.mean(voiced))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("voice", nargs="?", help="voice folder or export (default: the shipped voice)")
    p.add_argument("--json", type=Path, default=Path("benchmarks/results/pitch_control.json"))
    args = p.parse_args()
    voice = args.voice
    tts = Synthesizer(voice)
    base, voiced0 = medians(tts, 0.0)
    rows = [{"shift": 0.0, "voiced": voiced0}]
    print(f"voice {voice or 'default'}: {voiced0:.1%} of frames voiced at shift 0")
    for shift in (-4.0, -2.0, 2.0, 4.0):
        m, voiced = medians(tts, shift)
        moved = m - base
        rows.append(
            {
                "shift": shift,
                "moved": moved.round(2).tolist(),
                "mean_moved": float(moved.mean()),
                "voiced": voiced,
            }
        )
        print(
            f"shift {shift:+.0f}: median F0 moved by {np.round(moved, 2)} semitones, mean "
            f"{moved.mean():+.2f}; "
            f"{voiced:.1%} voiced"
        )
    out = args.json
    out.write_text(
        json.dumps({"voice": voice or "default", "texts": TEXTS, "rows": rows}, indent=1, ensure_ascii=False),
        encoding="utf-8",
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
