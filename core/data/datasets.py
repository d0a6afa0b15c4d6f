"""Dataset readers: one interface over the layouts users bring.

Every reader returns ``(items, problems)``: the utterances it could read, and one
``Problem`` (file, line, message) for each it could not — a malformed line or a missing
audio file is reported, never skipped in silence, and never ends the whole read.

``Item.text`` is what the frontend reads. Readers of labelled corpora put their labels
into it with the frontend's markup: Baker's prosody marks stay as ``#1``…``#4`` and its
pinyin becomes per-character readings (``{卡|ka2}``), so the audio's own readings win.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from core.data.splits import split_of

FORMATS = ("builtin", "ljspeech", "baker", "aishell3")


@dataclass(frozen=True)
class Item:
    """One utterance: an id unique in the dataset, its audio file, its text, its speaker."""

    id: str
    audio: Path
    text: str
    speaker: str
    split: str = "train"


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def detect_format(root: Path) -> str:
    """Guess a dataset's layout from the files at its root."""
    if (root / "corpus.json").exists() and (root / "metadata.csv").exists():
        return "builtin"
    if (root / "metadata.csv").exists():
        return "ljspeech"
    if (root / "ProsodyLabeling").is_dir():
        return "baker"
    if (root / "content.txt").exists() or any((root / s / "content.txt").exists() for s in ("train", "test")):
        return "aishell3"
    raise ValueError(
        f"{root}: not a dataset this toolkit reads (builtin, ljspeech, baker, aishell3): "
        "no metadata.csv, ProsodyLabeling/ or content.txt"
    )


def read_dataset(root: str | Path, fmt: str = "auto") -> tuple[list[Item], list[Problem]]:
    """Read a dataset folder in one of ``FORMATS`` (or ``auto`` to detect it)."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"dataset folder not found: {root}")
    if fmt == "auto":
        fmt = detect_format(root)
    if fmt not in FORMATS:
        raise ValueError(f"unknown dataset format {fmt!r}; choose from {', '.join(FORMATS)}")
    items, problems = READERS[fmt](root)
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.id in seen:
            problems.append(Problem(item.audio, 0, f"duplicate utterance id {item.id!r} skipped"))
            continue
        seen.add(item.id)
        unique.append(item)
    return unique, problems


_MAX_ID = 200


def id_problem(utt_id: str) -> str | None:
    """Why an utterance id cannot name a file inside an output folder, or None if it can:
    it must be one path component (no separators, not ``.``/``..``, no NUL or control
    characters, not hidden) of at most 200 characters."""
    if not utt_id or len(utt_id) > _MAX_ID:
        return f"utterance id must be 1-{_MAX_ID} characters"
    if "/" in utt_id or "\\" in utt_id or utt_id.startswith(".") or any(ord(c) < 32 for c in utt_id):
        return (
            f"utterance id {utt_id!r} is not a plain file name (no /, \\, leading dot or control characters)"
        )
    return None


def _checked(entries: list[tuple[Path, int, Item]], problems: list[Problem]) -> list[Item]:
    """Keep items with a usable id whose audio exists; report the others with their metadata
    file and line. (Audio paths are built from ids and names checked the same way, so they
    stay inside the dataset folder, symbolic links aside.)"""
    ok = []
    for file, line, item in entries:
        why = id_problem(item.id)
        if why is None and not item.audio.is_file():
            why = f"audio file missing: {item.audio}"
        if why is None:
            ok.append(item)
        else:
            problems.append(Problem(file, line, why))
    return ok


def _lines(path: Path, problems: list[Problem]):
    """(line number, text) of each non-empty line; a line that is not UTF-8 is reported and
    skipped, never the end of the read."""
    for n, raw in enumerate(path.read_bytes().split(b"\n"), 1):
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as err:
            problems.append(Problem(path, n, f"not UTF-8 text (byte {err.start + 1} of the line); skipped"))
            continue
        if n == 1:
            line = line.lstrip("\ufeff")
        if line.strip():
            yield n, line


def _pipe_rows(path: Path, problems: list[Problem]):
    for n, line in _lines(path, problems):
        row = next(csv.reader([line], delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\"))
        if row and any(cell.strip() for cell in row):
            yield n, row


def read_builtin(root: Path) -> tuple[list[Item], list[Problem]]:
    """The built-in corpus: ``metadata.csv`` rows ``id|text|normalized|speaker|split``."""
    meta, problems, items = root / "metadata.csv", [], []
    for n, row in _pipe_rows(meta, problems):
        if len(row) != 5 or row[4] not in ("train", "val", "test"):
            problems.append(Problem(meta, n, "expected id|text|normalized|speaker|split"))
            continue
        utt_id, text, _, speaker, split = row
        items.append((meta, n, Item(utt_id, root / "wavs" / f"{utt_id}.wav", text, speaker, split)))
    return _checked(items, problems), problems


def read_ljspeech(root: Path) -> tuple[list[Item], list[Problem]]:
    """LJSpeech: ``metadata.csv`` rows ``id|text|normalized text``, audio in ``wavs/``."""
    meta, problems, items = root / "metadata.csv", [], []
    speaker = root.name or "speaker"
    for n, row in _pipe_rows(meta, problems):
        if len(row) not in (2, 3) or not row[0].strip() or not row[-1].strip():
            problems.append(Problem(meta, n, "expected id|text|normalized text"))
            continue
        utt_id, text = row[0].strip(), row[-1].strip()
        items.append((meta, n, Item(utt_id, root / "wavs" / f"{utt_id}.wav", text, speaker, split_of(text))))
    return _checked(items, problems), problems


_HANZI = re.compile(r"[\u3400-\u9fff]")
_SYLLABLE = re.compile(r"^[a-z]+[1-5]$")


def _with_readings(text: str, syllables: list[str]) -> str | None:
    """Mark every Chinese character of ``text`` with its syllable: ``{卡|ka2}``.

    Returns None when the counts differ (erhua written as one syllable, say).
    """
    if len(_HANZI.findall(text)) != len(syllables):
        return None
    it = iter(syllables)
    return _HANZI.sub(lambda m: "{" + m.group() + "|" + next(it) + "}", text)


def read_baker(root: Path) -> tuple[list[Item], list[Problem]]:
    """Baker/BZNSYP: ``ProsodyLabeling/000001-010000.txt``, audio ``Wave/ID.wav`` (48 kHz).

    Each utterance is two lines: ``000001<TAB>卡尔普#2陪外孙#1玩滑梯#4。`` and its pinyin.
    The pinyin becomes the reading of each character; where its syllable count does not
    match the text, the frontend's reading is used and the line is reported.
    """
    files = sorted((root / "ProsodyLabeling").glob("*.txt"))
    problems: list[Problem] = []
    if not files:
        return [], [Problem(root / "ProsodyLabeling", 0, "no label file (*.txt)")]
    items = []
    for path in files:
        numbered = dict(_lines(path, problems))
        last = max(numbered, default=0)
        lines = [numbered.get(i, "") for i in range(1, last + 1)]
        n = 0
        while n < len(lines):
            head = lines[n]
            n += 1
            if not head.strip():
                continue
            m = re.match(r"^\s*(\d{6})\s+(\S.*)$", head)
            if not m:
                problems.append(Problem(path, n, "expected '<6-digit id><TAB><text>'"))
                continue
            utt_id, text = m.group(1), m.group(2).strip()
            pinyin = lines[n].split() if n < len(lines) else []
            if not pinyin or not all(_SYLLABLE.match(s) for s in pinyin):
                problems.append(Problem(path, n + 1, f"{utt_id}: expected a line of toned pinyin"))
                continue
            n += 1
            marked = _with_readings(text, [s.replace("ü", "v") for s in pinyin])
            if marked is None:
                problems.append(
                    Problem(
                        path,
                        n,
                        f"{utt_id}: {len(pinyin)} syllables for "
                        f"{len(_HANZI.findall(text))} characters; using the frontend's readings",
                    )
                )
                marked = text
            plain = re.sub(r"#[1-4]", "", text)
            items.append(
                (path, n - 1, Item(utt_id, root / "Wave" / f"{utt_id}.wav", marked, "baker", split_of(plain)))
            )
    return _checked(items, problems), problems


def read_aishell3(root: Path) -> tuple[list[Item], list[Problem]]:
    """AISHELL-3: ``[train|test]/content.txt`` rows ``ID.wav<TAB>字 pin1 字 pin1 …``,
    audio in ``[train|test]/wav/SPEAKER/ID.wav``; the speaker is the first 7 characters."""
    problems: list[Problem] = []
    items = []
    parts = [d for d in (root, root / "train", root / "test") if (d / "content.txt").exists()]
    for part in parts:
        content = part / "content.txt"
        for n, line in _lines(content, problems):
            fields = line.split("\t", 1)
            tokens = fields[1].split() if len(fields) == 2 else []
            chars, syllables = tokens[0::2], tokens[1::2]
            if (
                len(fields) != 2
                or not tokens
                or len(chars) != len(syllables)
                or not all(_SYLLABLE.match(s) for s in syllables)
            ):
                problems.append(Problem(content, n, "expected 'ID.wav<TAB>字 pinyin 字 pinyin …'"))
                continue
            wav = fields[0].strip()
            if id_problem(wav):
                problems.append(Problem(content, n, id_problem(wav).replace("utterance id", "file name")))
                continue
            utt_id, speaker = Path(wav).stem, wav[:7]
            text = "".join(
                "{" + c + "|" + s + "}" if _HANZI.fullmatch(c) else c for c, s in zip(chars, syllables)
            )
            split = "test" if part.name == "test" else split_of("".join(chars))
            items.append((content, n, Item(utt_id, part / "wav" / speaker / wav, text, speaker, split)))
    return _checked(items, problems), problems


READERS = {"builtin": read_builtin, "ljspeech": read_ljspeech, "baker": read_baker, "aishell3": read_aishell3}
