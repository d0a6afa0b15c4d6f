"""Prosody: sentences from running text, pauses from punctuation, prosodic words.

- ``split_sentences`` cuts normalized text at sentence-final punctuation and line
  breaks, and cuts a sentence longer than ``max_chars`` at its commas (then anywhere),
  so synthesis never sees an unbounded input.
- ``group_prosodic_words`` joins lexical words into the units spoken without a break
  (``#1`` goes between them): particles and units after a number lean on the word
  before (好的, 我们, 二零二六年), and other
  one-syllable words join a short neighbour (去 + 银行, 取 + 钱, 我 + 很 + 好).
"""

from __future__ import annotations

import re

from .overrides import PROTECTED_RE
from .sandhi import PARTICLES, SUFFIXES

SENTENCE_END = "。！？!?"
PAUSE_MARKS = "，,、；;：:—…─~～"
SILENT_MARKS = "\"'“”‘’《》〈〉「」『』()（）[]【】<>·*_"
MAX_PROSODIC_SYLLABLES = 4
NUMERAL_CHARS = set("零一二三四五六七八九十百千万亿两幺点")

# A sentence ends at 。！？ (runs like ？！ or …… stay together), at an English full stop
# followed by a space, and at a line break.
_SENTENCE_RE = re.compile(r"[。！？!?]+[”’\"'」』）)]*|\.(?=\s)|\n+")


def _readable_length(text: str) -> int:
    return len(PROTECTED_RE.sub("x", text))


def split_sentences(text: str, max_chars: int = 60, first_chars: int | None = None) -> list[str]:
    """Cut text into sentences of at most ``max_chars`` readable characters; with
    ``first_chars``, the first is also cut at its last pause mark within that many
    characters (a stream's first audio then waits for a short phrase only)."""
    sentences, pos = [], 0
    for m in _SENTENCE_RE.finditer(text):
        sentences.append(text[pos : m.end()])
        pos = m.end()
    sentences.append(text[pos:])
    out = []
    for s in (s.strip() for s in sentences):
        if s:
            out.extend(_split_long(s, max_chars))
    if first_chars and out and _readable_length(out[0]) > first_chars:
        out[:1] = _split_first(out[0], first_chars)
    return out


def _pause_cuts(sentence: str) -> list[int]:
    """Offsets just after the pause marks of ``sentence`` that lie outside markup."""
    protected = [range(m.start(), m.end()) for m in PROTECTED_RE.finditer(sentence)]
    return [
        i + 1 for i, c in enumerate(sentence[:-1]) if c in PAUSE_MARKS and not any(i in r for r in protected)
    ]


def _split_first(sentence: str, max_chars: int) -> list[str]:
    """The sentence cut at its last pause mark within ``max_chars`` readable characters (or
    its first mark, if that comes later); whole when it has no pause mark."""
    cuts = [i for i in _pause_cuts(sentence) if sentence[i:].strip()]
    if not cuts:
        return [sentence]
    within = [i for i in cuts if _readable_length(sentence[:i]) <= max_chars]
    cut = within[-1] if within else cuts[0]
    return [sentence[:cut].strip(), sentence[cut:].strip()]


def _split_long(sentence: str, max_chars: int) -> list[str]:
    if _readable_length(sentence) <= max_chars:
        return [sentence]
    # Cut at the pause mark nearest the middle that lies outside markup; else mid-way.
    protected = [range(m.start(), m.end()) for m in PROTECTED_RE.finditer(sentence)]
    inside = lambda i: any(i in r for r in protected)
    marks = _pause_cuts(sentence)
    middle = len(sentence) // 2
    if marks:
        cut = min(marks, key=lambda i: abs(i - middle))
    else:
        cut = next((i for i in range(middle, len(sentence)) if not inside(i)), len(sentence))
    head, tail = sentence[:cut].strip(), sentence[cut:].strip()
    if not head or not tail:
        return [sentence]
    return _split_long(head, max_chars) + _split_long(tail, max_chars)


def group_prosodic_words(words: list[str]) -> list[list[int]]:
    """Group word indices into prosodic words (each group a list of consecutive indices)."""
    groups: list[list[int]] = []
    syllables = lambda g: sum(len(words[i]) for i in g)
    for i, w in enumerate(words):
        after_number = i > 0 and all(c in NUMERAL_CHARS for c in words[i - 1])
        leans_left = len(w) == 1 and (w in PARTICLES or w in SUFFIXES or after_number)
        if groups and leans_left:
            groups[-1].append(i)
        else:
            groups.append([i])
    # One-syllable words join a neighbour: the next word if it is short, else the previous.
    merged: list[list[int]] = []
    k = 0
    while k < len(groups):
        g = groups[k]
        if syllables(g) == 1:
            nxt = groups[k + 1] if k + 1 < len(groups) else None
            if nxt is not None and syllables(nxt) + 1 <= 3:
                groups[k + 1] = g + nxt
                k += 1
                continue
            if merged and syllables(merged[-1]) + 1 <= MAX_PROSODIC_SYLLABLES:
                merged[-1] = merged[-1] + g
                k += 1
                continue
        merged.append(g)
        k += 1
    return merged
