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
import hashlib
import io
import json
import os
import random
import subprocess
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from core.data.sentences import sample_sentences
from core.files import atomic_write, atomic_write_json, atomic_write_text

SAMPLE_RATE = 22050
WORD_GAP_S = 0.06  # between a Chinese and an English stretch
SENTENCE_GAP_S = 0.25  # between sentences of one line
EDGE_SILENCE_S = 0.1  # at both ends of every file
SPLITS = (("train", 0.90), ("val", 0.05), ("test", 0.05))


@dataclass(frozen=True)
class Voice:
    """A speaker: an espeak-ng voice variant with pitch (0-99) and speed (words/min)."""

    name: str
    variant: str
    pitch: int
    speed: int


# A fixed list so that speaker k is the same voice in every corpus.
VOICES = (
    Voice("spk0", "m3", 45, 165),
    Voice("spk1", "f2", 65, 160),
    Voice("spk2", "m1", 35, 175),
    Voice("spk3", "f4", 75, 150),
    Voice("spk4", "m7", 50, 155),
    Voice("spk5", "f1", 60, 170),
    Voice("spk6", "m5", 40, 160),
    Voice("spk7", "f3", 70, 165),
)


def split_of(normalized_text: str) -> str:
    """train/val/test from a hash of the sentence: stable across runs and machines."""
    h = int(hashlib.sha1(normalized_text.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if h <= edge:
            return name
    return SPLITS[-1][0]


def espeak_version() -> str:
    try:
        out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as err:
        raise OSError(f"espeak-ng is needed to build the corpus (apt-get install espeak-ng): {err}") from None
    return out.stdout.split("Data at")[0].strip()


def _espeak(text: str, voice: Voice, lang: str) -> np.ndarray:
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


def speak(sentences: list[list[tuple[str, str]]], voice: Voice) -> np.ndarray:
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


def render(text: str, voice: Voice, frontend) -> tuple[np.ndarray, str]:
    """Speak one line of text; returns (audio at 22,050 Hz, normalized text)."""
    sentences, normalized = plan(text, frontend)
    return speak(sentences, voice), normalized


def write_wav(path: Path, audio: np.ndarray) -> None:
    """16-bit PCM WAV, written atomically."""
    atomic_write(path, lambda f: sf.write(f, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV"))


# --- building a whole corpus ------------------------------------------------------------

_worker_frontend = None


def _init_worker() -> None:
    global _worker_frontend
    from frontend import Frontend

    _worker_frontend = Frontend()


def _render_job(job: tuple[str, str, Voice, str]) -> tuple[str, str, str, str] | tuple[str, str]:
    """Render one utterance to its WAV (atomically); returns its metadata row or an error."""
    utt_id, text, voice, wav_dir = job
    path = Path(wav_dir) / f"{utt_id}.wav"
    try:
        if path.exists():  # resuming: only the transcript is needed
            normalized = "".join(u.normalized for u in _worker_frontend(text))
            return utt_id, text, normalized, voice.name
        audio, normalized = render(text, voice, _worker_frontend)
        write_wav(path, audio)
    except Exception as err:  # one bad sentence must not end the build
        return utt_id, f"{type(err).__name__}: {err}"
    return utt_id, text, normalized, voice.name


def pitch_offset(seed: int, index: int, spread: int) -> int:
    """The espeak-ng pitch offset (0-99 scale) of sentence ``index``: uniform in ±``spread``,
    a function of the seed and the index alone."""
    return random.Random(seed * 1_000_003 + index).randint(-spread, spread) if spread else 0


def build_corpus(
    out: str | Path,
    sentences: int,
    speakers: int = 4,
    seed: int = 0,
    jobs: int | None = None,
    progress: bool = True,
    pitch_spread: int = 0,
    voices: list[str] | None = None,
) -> dict:
    """Render ``sentences`` sentences over ``speakers`` voices into ``out``; returns the card.
    ``voices``: these speakers by name (``VOICES``) instead of the first ``speakers``.

    ``pitch_spread`` > 0 renders each sentence with its voice's pitch moved by up to that
    much (espeak-ng's 0-99 scale): one voice at many pitches, so that a model trained on it
    must follow its pitch input (on a corpus where pitch follows from the text alone, it
    learns to ignore it, and pitch control does nothing). Deterministic for a seed.
    Re-running into the same folder with the same settings renders only the missing files;
    other settings in a used folder are refused.
    """
    if voices:
        by_name = {v.name: v for v in VOICES}
        unknown = [v for v in voices if v not in by_name]
        if unknown or len(set(voices)) != len(voices):
            raise ValueError(
                f"--voices takes distinct names of {', '.join(by_name)}, not {', '.join(unknown or voices)}"
            )
        chosen = tuple(by_name[v] for v in voices)
        speakers = len(chosen)
    elif not 1 <= speakers <= len(VOICES):
        raise ValueError(f"--speakers must be between 1 and {len(VOICES)}")
    else:
        chosen = VOICES[:speakers]
    if sentences < 1:
        raise ValueError("--sentences must be at least 1")
    out = Path(out)
    wav_dir = out / "wavs"
    if not 0 <= pitch_spread <= 40:
        raise ValueError("--pitch-spread must be between 0 and 40")
    settings = {
        "sentences": sentences,
        "speakers": speakers,
        "seed": seed,
        "pitch_spread": pitch_spread,
        "voices_chosen": [v.name for v in chosen] if voices else None,
    }
    card_path = out / "corpus.json"
    if card_path.exists():
        old = json.loads(card_path.read_text(encoding="utf-8"))
        defaults = {"pitch_spread": 0, "voices_chosen": None}  # for corpora from before these settings
        if {k: old.get(k, defaults.get(k)) for k in settings} != settings:
            raise ValueError(
                f"{out} holds a corpus built with { ({k: old.get(k) for k in settings}) }; use another --out"
            )
    wav_dir.mkdir(parents=True, exist_ok=True)
    card = {
        **settings,
        "version": 1,
        "sample_rate": SAMPLE_RATE,
        "espeak_ng": espeak_version(),
        "voices": [asdict(v) for v in chosen],
    }
    _write_json(card_path, card)

    texts = sample_sentences(sentences, seed)
    voices = chosen

    def voice_of(i: int) -> Voice:
        v = voices[i % speakers]
        return replace(v, pitch=min(99, max(0, v.pitch + pitch_offset(seed, i, pitch_spread))))

    jobs_list = [
        (f"{voices[i % speakers].name}_{i:06d}", t, voice_of(i), str(wav_dir)) for i, t in enumerate(texts)
    ]
    rows, failed = [], []
    workers = max(1, jobs or os.cpu_count() or 1)
    with get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        results = pool.imap(_render_job, jobs_list, chunksize=8)
        for res in tqdm(results, total=len(jobs_list), desc="rendering", unit="utt", disable=not progress):
            (failed if len(res) == 2 else rows).append(res)
    lines = io.StringIO()
    w = csv.writer(lines, delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
    for utt_id, text, normalized, speaker in rows:
        w.writerow([utt_id, text, normalized, speaker, split_of(normalized)])
    atomic_write_text(out / "metadata.csv", lines.getvalue())
    counts = {name: 0 for name, _ in SPLITS}
    for _, _, normalized, _ in rows:
        counts[split_of(normalized)] += 1
    card.update(utterances=len(rows), splits=counts, failed=[f"{i}: {e}" for i, e in failed])
    _write_json(card_path, card)
    return card


_write_json = atomic_write_json
