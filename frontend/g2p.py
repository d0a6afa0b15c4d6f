"""Chinese words → lexical pinyin: jieba segmentation, pypinyin readings, user dictionary.

A user dictionary is a UTF-8 text file, one word a line: the word, then one toned
syllable per character (``银行 yin2 hang2``); ``#`` starts a comment. Its readings
are lexical: tone sandhi still applies to them (inline ``{字|zi4}`` overrides are the
way to force a surface reading).
"""

from __future__ import annotations

import logging
import re
import sys
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from .errors import FrontendError
from .overrides import SYLLABLE_RE
from .polyphones import reading_by_context
from .symbols import INITIALS
from .word_freq import frequencies


def _import_jieba():
    """jieba, imported without pkg_resources: its ``_compat`` imports that (0.2–0.4 s of
    scanning installed packages) only to open its own files, and opens them by path when
    the import fails. Anything imported later still gets the real pkg_resources."""
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # makes ``import pkg_resources`` raise ImportError
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

jieba.setLogLevel(logging.WARNING)


def load_user_dict(path: str | Path) -> dict[str, list[str]]:
    """Read a user dictionary; errors name the file and line."""
    entries: dict[str, list[str]] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise FrontendError(f"cannot read user dictionary {path}: {err}") from None
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, *syllables = line.split()
        syllables = [s.lower().replace("ü", "v") for s in syllables]
        if len(syllables) != len(word) or not all(SYLLABLE_RE.match(s) for s in syllables):
            raise FrontendError(
                f"{path}:{n}: expected a word and one toned syllable per character, got {line!r}"
            )
        entries[word] = syllables
    return entries


@lru_cache(maxsize=1)
def _base_tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    freq = frequencies()  # jieba's dictionary on disk (frontend.word_freq), or None
    if freq is None:
        tokenizer.initialize()
    else:
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, freq.total, True
    return tokenizer


class Lexicon:
    """Segmentation and dictionary readings, with an optional user dictionary on top."""

    def __init__(self, user_dict: dict[str, list[str]] | None = None):
        self.user_dict = dict(user_dict or {})
        base = _base_tokenizer()
        if self.user_dict:
            # A private tokenizer, so one Frontend's words never leak into another's.
            self.tokenizer = jieba.Tokenizer()
            self.tokenizer.FREQ, self.tokenizer.total = base.FREQ.copy(), base.total
            self.tokenizer.initialized = True
            for word in self.user_dict:
                self.tokenizer.add_word(word, freq=max(base.suggest_freq(word), 100000))
        else:
            self.tokenizer = base

    def is_word(self, text: str) -> bool:
        return bool(self.tokenizer.FREQ.get(text)) or text in self.user_dict

    def segment(self, text: str) -> list[str]:
        """Split a run of Chinese characters into words."""
        return self.tokenizer.lcut(text, HMM=True)

    def readings(self, word: str, next_word: str = "") -> list[str]:
        """Toned syllables of one word (``银行`` → ``yin2 hang2``); ``?`` for unreadable.
        ``next_word`` (the word after it) picks the reading of some polyphones (还钱)."""
        if word in self.user_dict:
            return list(self.user_dict[word])
        return reading_by_context(word, next_word) or _pypinyin(word)


@lru_cache(maxsize=20000)  # bounded: a long text of many words must not grow the process
def _pypinyin(word: str) -> list[str]:
    out = lazy_pinyin(
        word, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: ["?"] * len(chars)
    )
    return [s if SYLLABLE_RE.match(s) else "?" for s in out]


# --- pinyin → initial + toned final (Baker-style phone set) ---------------------------

# two-letter initials first, so that "zh" is not read as "z"
INITIALS_BY_LENGTH = tuple(sorted(INITIALS, key=len, reverse=True))
_ZERO_INITIAL = {  # y/w spellings → finals
    "yi": "i",
    "ya": "ia",
    "yo": "io",
    "ye": "ie",
    "yao": "iao",
    "you": "iou",
    "yan": "ian",
    "yin": "in",
    "yang": "iang",
    "ying": "ing",
    "yong": "iong",
    "yu": "v",
    "yue": "ve",
    "yuan": "van",
    "yun": "vn",
    "wu": "u",
    "wa": "ua",
    "wo": "uo",
    "wai": "uai",
    "wei": "uei",
    "wan": "uan",
    "wen": "uen",
    "wang": "uang",
    "weng": "ueng",
}
_SYLLABIC = {"m": "m", "n": "n", "ng": "ng", "hm": "m", "hng": "ng", "ê": "e", "ei": "ei"}


def pinyin_to_phones(syllable: str) -> list[str]:
    """``zhang1`` → ``[zh, ang1]``; ``xue2`` → ``[x, ve2]``; ``dianr3`` → ``[d, ian3, &r]``."""
    m = re.fullmatch(r"([a-zv]+?)(r?)([1-5])", syllable)
    if not m:
        raise FrontendError(f"not a toned pinyin syllable: {syllable!r}")
    body, erhua, tone = m.groups()
    if body + erhua == "er":
        body, erhua = "er", ""
    extra = ["&r"] if erhua else []
    if body in _ZERO_INITIAL:
        return [_ZERO_INITIAL[body] + tone, *extra]
    if body in _SYLLABIC:
        return [_SYLLABIC[body] + tone, *extra]
    initial = next((i for i in INITIALS_BY_LENGTH if body.startswith(i) and len(body) > len(i)), "")
    final = body[len(initial) :]
    if initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]
    elif final == "i" and initial in ("zh", "ch", "sh", "r"):
        final = "iii"
    elif final == "i" and initial in ("z", "c", "s"):
        final = "ii"
    final = {"iu": "iou", "ui": "uei", "un": "uen"}.get(final, final)
    if not initial:
        return [final + tone, *extra]
    return [initial, final + tone, *extra]
