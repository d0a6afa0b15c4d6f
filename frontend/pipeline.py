"""The frontend: raw text → list of ``Utterance`` (normalized text, pinyin, symbols)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import symbols as S
from .english import english_phones
from .errors import FrontendError, NothingToRead
from .g2p import Lexicon, load_user_dict, pinyin_to_phones
from .normalize import normalize
from .overrides import BREAK_MARK_RE, parse_overrides, strip_overrides
from .prosody import PAUSE_MARKS, SENTENCE_END, SILENT_MARKS, group_prosodic_words, split_sentences
from .sandhi import Syllable, apply_sandhi, merge_erhua

MAX_TEXT_CHARS = 1_000_000

_TOKEN_RE = re.compile(
    r"(?P<hanzi>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)"
    r"|(?P<english>[A-Za-z]+(?:['’][A-Za-z]+)*)"
    r"|(?P<mark>#[1-4])"
    r"|(?P<space>[\s\-]+)"
    r"|(?P<other>.)",
    re.S,
)

_NUMERAL_RUN_RE = re.compile(
    r"([零一二三四五六七八九十百千万亿两幺]+点[零一二三四五六七八九幺]+|[零一二三四五六七八九十百千万亿两幺]{2,})"
)


class Mark(str):
    """A prosody label written in the text (``#2``), as labelled corpora give them."""


@dataclass
class Word:
    """One spoken word: Chinese (toned syllables) or English (phoneme symbols).

    ``break_after`` is the break symbol that follows the word in the sentence
    (``""`` inside a prosodic word, ``#1`` … ``#4``).
    """

    text: str
    lang: str  # "zh" or "en"
    syllables: list[Syllable] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    break_after: str = ""

    @property
    def pinyin(self) -> list[str]:
        return [s.pinyin for s in self.syllables]

    def to_dict(self) -> dict:
        return {"text": self.text, "lang": self.lang, "pinyin": self.pinyin, "break": self.break_after}


@dataclass
class Utterance:
    """One sentence through the frontend.

    ``pinyin`` holds the surface readings (after sandhi) of the Chinese characters;
    ``symbols`` is what the acoustic model reads, always ending in ``#4``.
    """

    normalized: str
    words: list[Word]
    symbols: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def pinyin(self) -> list[str]:
        return [p for w in self.words for p in w.pinyin]

    def to_dict(self) -> dict:
        return {
            "normalized": self.normalized,
            "words": [w.to_dict() for w in self.words],
            "pinyin": self.pinyin,
            "symbols": self.symbols,
            "warnings": self.warnings,
        }


class Frontend:
    """Text → utterances. ``Frontend()(text)`` returns one ``Utterance`` per sentence.

    Args:
        user_dict: path to a user dictionary file (see ``frontend.g2p``), or a mapping
            word → syllables.
        word_breaks: put ``#1`` between prosodic words (labelled corpora bring their own).
        max_sentence_chars: longer sentences are cut at pauses for synthesis.
        first_sentence_chars: the first sentence is also cut at its last pause within this
            many characters (None: not), so that a stream's first audio comes soon.
    """

    def __init__(
        self,
        user_dict: str | Path | dict | None = None,
        word_breaks: bool = True,
        max_sentence_chars: int = 60,
        table: S.SymbolTable = S.DEFAULT_TABLE,
        first_sentence_chars: int | None = None,
    ):
        if isinstance(user_dict, (str, Path)):
            user_dict = load_user_dict(user_dict)
        self.lexicon = Lexicon(user_dict)
        self.word_breaks = word_breaks
        self.max_sentence_chars = max_sentence_chars
        self.first_sentence_chars = first_sentence_chars
        self.table = table

    # -- public API -------------------------------------------------------------------
    def __call__(self, text: str) -> list[Utterance]:
        """All sentences of ``text``; raises FrontendError when nothing can be read."""
        return [utterance for utterance, _ in self.utterances(text)]

    def utterances(self, text: str) -> Iterator[tuple[Utterance, int]]:
        """Each sentence of ``text`` as soon as it is read, with the number of sentences the
        text was cut into (those with nothing to say are skipped: an upper bound). The text is
        normalized and cut whole (a few ms per 1,000 characters); the words, readings and
        symbols, nearly all of the work, are made one sentence at a time. Raises
        FrontendError when nothing can be read (before yielding anything)."""
        marked = self._normalize_checked(text)
        sentences = split_sentences(marked, self.max_sentence_chars, self.first_sentence_chars)
        pending: list[str] = []  # warnings of sentences with nothing to say
        last = None
        for sentence in sentences:
            utt = self._sentence(sentence)
            if not utt.symbols:
                pending += utt.warnings
                continue
            utt.warnings[:0] = pending
            pending, last = [], utt
            yield utt, len(sentences)
        if last is None:
            why = f" ({'; '.join(pending)})" if pending else ""
            raise NothingToRead(f"no pronounceable characters in text {text.strip()[:40]!r}{why}")
        last.warnings += pending  # after the last sentence: its warnings, as it may still be read

    def normalize(self, text: str) -> str:
        """The normalized text as a person reads it (numbers, dates, units in words)."""
        return strip_overrides(self._normalize_checked(text))

    def encode(self, utterance: Utterance) -> list[int]:
        return self.table.encode(utterance.symbols)

    # -- steps --------------------------------------------------------------------------
    @staticmethod
    def _normalize_checked(text: str) -> str:
        if not isinstance(text, str):
            raise FrontendError(f"text must be a string, got {type(text).__name__}")
        if not text.strip():
            raise NothingToRead("empty text")
        if len(text) > MAX_TEXT_CHARS:
            raise FrontendError(f"text is {len(text):,} characters; split it (limit {MAX_TEXT_CHARS:,})")
        return normalize(text)

    def _sentence(self, sentence: str) -> Utterance:
        warnings: list[str] = []
        plain, fixed = parse_overrides(sentence)
        items = self._tokens(plain, fixed, warnings)
        words, symbols = self._symbols(items)
        return Utterance(BREAK_MARK_RE.sub("", plain).strip(), words, symbols, warnings)

    def _tokens(self, text: str, fixed: dict[int, str], warnings: list[str]) -> list[Word | str]:
        """Words and breaks (``#1``…``#4``, ``?``, ``!``) of one sentence, in order.

        ``fixed`` maps character offsets to forced readings; what cannot be read is
        added to ``warnings``.
        """
        items: list[Word | str] = []
        for m in _TOKEN_RE.finditer(text):
            kind, tok = m.lastgroup, m.group()
            if kind == "hanzi":
                offset = m.start()
                words = self._segment(tok)
                for k, w in enumerate(words):
                    readings = self.lexicon.readings(w, words[k + 1] if k + 1 < len(words) else "")
                    syls, bad = [], []
                    for i, (c, p) in enumerate(zip(w, readings)):
                        forced = fixed.get(offset + i)
                        if forced or p != "?":
                            syls.append(Syllable(c, forced or p, fixed=bool(forced)))
                        else:
                            bad.append(c)
                    offset += len(w)
                    if bad:
                        warnings.append("no reading for " + ", ".join(_describe(c) for c in bad))
                    if syls:
                        items.append(Word("".join(s.char for s in syls), "zh", syls))
            elif kind == "english":
                phones, unknown = english_phones(tok)
                if unknown:
                    warnings.append(f"English {tok!r}: espeak phones {unknown!r} not in the symbol table")
                items.append(Word(tok, "en", phones=phones))
            elif kind == "mark":
                items.append(Mark(tok))
            elif kind == "space":
                continue
            elif tok in SENTENCE_END or tok == ".":
                items.append({"？": "?", "?": "?", "！": "!", "!": "!"}.get(tok, S.SENTENCE_END))
            elif tok in PAUSE_MARKS:
                items.append(S.PAUSE)
            elif tok in SILENT_MARKS:
                continue
            else:
                warnings.append("cannot read " + _describe(tok))
        return items

    def _segment(self, run: str) -> list[str]:
        """Words of a run of characters; a spelled-out number is one word (二零二六)."""
        words: list[str] = []
        for part in _NUMERAL_RUN_RE.split(run):
            if _NUMERAL_RUN_RE.fullmatch(part):
                words.append(part)
            elif part:
                words.extend(self.lexicon.segment(part))
        return words

    def _symbols(self, items: list[Word | str]) -> tuple[list[Word], list[str]]:
        """Words (readings final) and the symbol sequence of one sentence's items.

        Words between two breaks form a phrase (sandhi does not cross a pause); at each
        break the stronger of two adjacent breaks is kept, and the sentence ends with
        its mood (``?``/``!``, if any) and ``#4``.
        """
        explicit_marks = any(isinstance(i, Mark) for i in items)
        symbols: list[str] = []
        words: list[Word] = []
        mood = ""
        phrase: list[Word] = []
        for item in [*items, S.SENTENCE_END]:
            if isinstance(item, Word):
                phrase.append(item)
                continue
            symbols += self._phrase(phrase, explicit_marks)
            words += phrase
            phrase = []
            if item in S.MOODS:
                mood, item = item, S.SENTENCE_END
            if symbols and symbols[-1] in S.BREAKS:
                symbols[-1] = max(symbols[-1], item)  # "#1" < "#3" < "#4"
            elif symbols:
                symbols.append(item)
            if words:
                words[-1].break_after = max(words[-1].break_after, item)
        if symbols:
            symbols[-1:] = [mood, S.SENTENCE_END] if mood else [S.SENTENCE_END]
            words[-1].break_after = S.SENTENCE_END
        return words, symbols

    def _phrase(self, phrase: list[Word], explicit_marks: bool) -> list[str]:
        """Symbols of the words between two breaks, ``#1`` between prosodic words.

        Applies sandhi and erhua to the Chinese words, and sets ``break_after``.
        """
        word_break = S.WORD_BREAK if self.word_breaks and not explicit_marks else ""
        units: list[list[Word]] = []  # prosodic words
        zh_run: list[Word] = []

        def flush() -> None:
            if zh_run:
                groups = [[zh_run[i] for i in g] for g in group_prosodic_words([w.text for w in zh_run])]
                apply_sandhi([[w.syllables for w in g] for g in groups], self.lexicon.is_word)
                for w in zh_run:
                    w.syllables = merge_erhua(w.syllables)
                units.extend(groups)
                zh_run.clear()

        for w in phrase:
            if w.lang == "zh":
                zh_run.append(w)
            else:
                flush()
                units.append([w])
        flush()
        out: list[str] = []
        for unit in units:
            if out and word_break:
                out.append(word_break)
            for w in unit:
                if w.lang == "zh":
                    w.phones = [p for syl in w.syllables for p in pinyin_to_phones(syl.pinyin)]
                out += w.phones
            unit[-1].break_after = word_break
        return out


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    shown = ch if ch.isprintable() else ""
    return f"{shown!r} (U+{ord(ch):04X}{' ' + name if name else ''})".replace("'' ", "")
