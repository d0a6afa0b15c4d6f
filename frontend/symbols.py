"""The versioned symbol table: every symbol the acoustic model can be given.

A symbol sequence for one sentence is made of
  - Mandarin initials (``b`` … ``s``) and toned finals (``a1`` … ``vn5``, Baker-style:
    ``ii`` after z/c/s, ``iii`` after zh/ch/sh/r, ``v`` for ü), ``&r`` for erhua;
  - English phonemes from espeak-ng, prefixed with ``@`` (``@h``, ``@oʊ``) and the
    stress marks ``@ˈ`` / ``@ˌ`` as symbols of their own;
  - prosody breaks ``#1`` (prosodic word), ``#2`` (prosodic phrase, from labelled
    corpora), ``#3`` (pause at in-sentence punctuation), ``#4`` (end of sentence);
  - sentence mood ``?`` and ``!`` placed just before the closing ``#4``;
  - the padding symbol ``_`` (id 0).

The table is saved with every model (``SymbolTable.to_dict``) and checked on load, so
a model never reads ids from a table it was not trained with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

VERSION = 1

PAD = "_"
BREAKS = ("#1", "#2", "#3", "#4")
WORD_BREAK, PHRASE_BREAK, PAUSE, SENTENCE_END = BREAKS
MOODS = ("?", "!")
ERHUA = "&r"

INITIALS = (
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "zh",
    "ch",
    "sh",
    "r",
    "z",
    "c",
    "s",
)
FINALS = (
    "a",
    "ai",
    "an",
    "ang",
    "ao",
    "e",
    "ei",
    "en",
    "eng",
    "er",
    "o",
    "ong",
    "ou",
    "i",
    "ia",
    "ian",
    "iang",
    "iao",
    "ie",
    "in",
    "ing",
    "io",
    "iong",
    "iou",
    "ii",
    "iii",
    "u",
    "ua",
    "uai",
    "uan",
    "uang",
    "uei",
    "uen",
    "ueng",
    "uo",
    "v",
    "van",
    "ve",
    "vn",
    "m",
    "n",
    "ng",  # syllabic nasals: 呣 m2, 嗯 n2 / ng2
)
TONES = (1, 2, 3, 4, 5)

# espeak-ng en-us phones, as phonemizer separates them (stress marks split off).
ENGLISH_PHONES = (
    "b",
    "d",
    "dʒ",
    "f",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "n̩",
    "p",
    "r",
    "s",
    "t",
    "tʃ",
    "v",
    "w",
    "x",
    "z",
    "ð",
    "ŋ",
    "ɡ",
    "ɹ",
    "ɾ",
    "ʃ",
    "ʒ",
    "ʔ",
    "θ",
    "a",
    "aɪ",
    "aɪə",
    "aɪɚ",
    "aʊ",
    "e",
    "eɪ",
    "i",
    "iə",
    "iː",
    "o",
    "oʊ",
    "oː",
    "oːɹ",
    "u",
    "uː",
    "æ",
    "ɐ",
    "ɑː",
    "ɑːɹ",
    "ɔ",
    "ɔɪ",
    "ɔː",
    "ɔːɹ",
    "ə",
    "əl",
    "ɚ",
    "ɛ",
    "ɛɹ",
    "ɜː",
    "ɪ",
    "ɪɹ",
    "ʊ",
    "ʊɹ",
    "ʌ",
    "ᵻ",
)
ENGLISH_STRESS = ("ˈ", "ˌ")
ENGLISH_PREFIX = "@"


def _default_symbols() -> list[str]:
    tonal = [f"{final}{tone}" for final in FINALS for tone in TONES]
    english = [ENGLISH_PREFIX + p for p in ENGLISH_STRESS + ENGLISH_PHONES]
    return [PAD, *BREAKS, *MOODS, ERHUA, *INITIALS, *tonal, *english]


@dataclass(frozen=True)
class SymbolTable:
    """An ordered list of symbols; a symbol's id is its index (``_`` is 0)."""

    symbols: tuple[str, ...] = field(default_factory=lambda: tuple(_default_symbols()))
    version: int = VERSION

    def __post_init__(self) -> None:
        if len(set(self.symbols)) != len(self.symbols):
            raise ValueError("symbol table has duplicate symbols")
        object.__setattr__(self, "_ids", {s: i for i, s in enumerate(self.symbols)})

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: str) -> bool:
        return symbol in self._ids

    @property
    def pad_id(self) -> int:
        return self._ids[PAD]

    @property
    def checksum(self) -> str:
        """Short hash of the ordered symbols: two tables agree iff their checksums do."""
        return hashlib.sha1("\n".join(self.symbols).encode()).hexdigest()[:12]

    def encode(self, symbols: list[str]) -> list[int]:
        """Symbols → ids; raises ``KeyError`` naming the first unknown symbol."""
        try:
            return [self._ids[s] for s in symbols]
        except KeyError as err:
            raise KeyError(f"symbol {err.args[0]!r} is not in symbol table v{self.version}") from None

    def decode(self, ids: list[int]) -> list[str]:
        return [self.symbols[i] for i in ids]

    def to_dict(self) -> dict:
        return {"version": self.version, "checksum": self.checksum, "symbols": list(self.symbols)}

    @classmethod
    def from_dict(cls, data: dict) -> SymbolTable:
        table = cls(tuple(data["symbols"]), int(data["version"]))
        if "checksum" in data and data["checksum"] != table.checksum:
            raise ValueError("symbol table checksum does not match its symbols (corrupt file?)")
        return table

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> SymbolTable:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


DEFAULT_TABLE = SymbolTable()
