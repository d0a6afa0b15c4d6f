"""Benchmark: how much of each built-in espeak-ng voice survives the 80-bin log-mel and
Griffin-Lim: the vocoder floor per voice.

    python experiments/voice_pitch_floor.py [--sentences 24] [--voices 0,1,3]

For the first --sentences test-split sentences of the built-in corpus (their texts from
``corpus.sentences`` via ``data/corpus1/metadata.csv`` when present, else sampled anew),
each voice renders them with espeak-ng; the log-mel (``core.features``) goes through
Griffin-Lim (the default settings) back to audio. Reported per voice: the median F0 of the
recordings, the share of frames YIN finds voiced in the recordings and in the Griffin-Lim
copies, the median F0 change of the copies (semitones), and the shipped recognizer's
syllable error rate with and without tones on both. Prints a table and writes JSON (default
experiments/results/voice_pitch_floor.json).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from core.audio import resample
    from core.data.splits import split_of
    from core.features import FeatureConfig, FeatureExtractor
    from core.pitch import yin
    from corpus.build import SAMPLE_RATE, VOICES, render
    from corpus.sentences import sample_sentences
    from frontend import Frontend
    from recognizer.api import Recognizer
    from recognizer.metrics import error_rate, toneless_error_rate
    from vocoder.griffin_lim import GriffinLim

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", type=int, default=24)
    ap.add_argument("--voices", default="0,1,3", help="indices into corpus.build.VOICES")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "voice_pitch_floor.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    fe, fc = Frontend(), FeatureConfig()
    meta = ROOT / "data" / "corpus1" / "metadata.csv"
    if meta.exists():  # the built-in corpus' own normalized texts of its test split
        texts = [r[2] for r in csv.reader(open(meta, encoding="utf-8"), delimiter="|") if r[4] == "test"]
    else:  # the same sentences: the corpus' sampling (seed 0) and split
        texts = []
        for t in sample_sentences(3000, 0):
            normalized = fe(t)[0].normalized
            if split_of(normalized) == "test":
                texts.append(normalized)
            if len(texts) == args.sentences:
                break
    texts = texts[: args.sentences]
    fx, gl = FeatureExtractor(fc), GriffinLim(fc)
    recognizer = Recognizer.load(ROOT / "recognizer" / "pretrained" / "crnn_builtin.pt")
    refs = [[p for u in fe(t) for p in u.pinyin] for t in texts]
    rows = []
    for index in (int(v) for v in args.voices.split(",")):
        voice = VOICES[index]
        recordings, copies = [], []
        for text in texts:
            audio, _ = render(text, voice, fe)
            audio = resample(audio, SAMPLE_RATE, fc.sample_rate).astype(np.float32)
            recordings.append(audio)
            copies.append(gl(fx.mel(audio)).numpy())
        stats = {}
        for kind, audios in (("recordings", recordings), ("griffin_lim", copies)):
            voiced, f0s = [], []
            for a in audios:
                f0, v = yin(
                    a, fc.sample_rate, fc.hop_length, fc.f0_min, fc.f0_max, threshold=fc.voicing_threshold
                )
                voiced.append(v.mean())
                f0s.append(np.median(f0[v]) if v.any() else np.nan)
            hyps = recognizer.transcribe_audio(audios, fc.sample_rate)
            stats[kind] = {
                "voiced": float(np.mean(voiced)),
                "median_f0_hz": [float(x) for x in f0s],
                "error": error_rate(refs, hyps),
                "error_toneless": toneless_error_rate(refs, hyps),
            }
        f0_rec = np.array(stats["recordings"]["median_f0_hz"])
        f0_gl = np.array(stats["griffin_lim"]["median_f0_hz"])
        rows.append(
            {
                "voice": f"{voice.name} ({voice.variant}, pitch {voice.pitch})",
                "median_f0_hz": float(np.nanmedian(f0_rec)),
                "f0_change_semitones": float(np.nanmedian(12 * np.log2(f0_gl / f0_rec))),
                **{f"{k}_{m}": stats[k][m] for k in stats for m in ("voiced", "error", "error_toneless")},
            }
        )
        r = rows[-1]
        print(
            f"{r['voice']:24} F0 {r['median_f0_hz']:5.0f} Hz  voiced {r['recordings_voiced']:.2f} → "
            f"{r['griffin_lim_voiced']:.2f}  error {r['recordings_error']:.3f} → "
            f"{r['griffin_lim_error']:.3f} "
            f"(tones ignored {r['recordings_error_toneless']:.3f} → {r['griffin_lim_error_toneless']:.3f})",
            flush=True,
        )
    result = {
        "command": "python experiments/voice_pitch_floor.py " + " ".join(sys.argv[1:]),
        "sentences": len(texts),
        "voices": rows,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
