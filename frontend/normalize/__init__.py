"""Text normalization: raw text → text that says every number, date, unit as words.

``normalize`` returns the text with reading markup (``{一|yi1}``) where it decided a
reading; ``strip_overrides`` gives the plain text a person reads. English words and
letters pass through untouched; rules only fire on digits and the symbols beside them.

Order matters: the most specific patterns (phone numbers, dates, times) run before the
general ones (ranges, units, plain numbers), and each rule sees only text the earlier
rules left as digits.
"""

from __future__ import annotations

import re

from ..overrides import map_plain, strip_overrides
from . import chronology, phones, quantities
from .cleanup import chinese_punctuation, collapse_spaces, fold_width, to_simplified
from .numbers import NUMBER, cardinal, digits, number
from .rule import Rule, after, rule


@rule("thousands separator", r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
def thousands(m: re.Match) -> str:
    return m.group(0).replace(",", "")


@rule("dotted number", r"(?<![\d.])\d+(?:\.\d+){2,}(?![\d.])")
def dotted_number(m: re.Match) -> str:
    """A version or an address (``1.2.3``, ``192.168.1.1``): each part with 点 between,
    parts of more than two digits digit by digit (一九二点一六八点一点一)."""
    return "点".join(cardinal(p) if len(p) <= 2 else digits(p) for p in m.group(0).split("."))


@rule("leading decimal point", r"(?<![\w.])(-?)\.(\d+)")
def leading_point(m: re.Match) -> str:
    """``.5`` → 零点五."""
    return ("负" if m.group(1) else "") + "零点" + digits(m.group(2))


@rule("number", rf"(?<![A-Za-z\d.])({NUMBER})|(\d+(?:\.\d+)?)")
def plain_number(m: re.Match) -> str:
    """Any number left: ``-3`` after a letter is a hyphen (COVID-19), not a sign."""
    return number(m.group(1) or m.group(2), after(m))


@rule(
    "leftover range sign",
    r"(?<=[零一二三四五六七八九十百千万亿两度}])\s*[~～〜—–-]\s*(?=[零一二三四五六七八九十百千万亿两{]|百分之)",
)
def tilde(m: re.Match) -> str:
    return "到"


RULES: list[Rule] = [
    thousands,
    *phones.RULES,
    *chronology.RULES,
    *quantities.RULES,
    dotted_number,
    leading_point,
    plain_number,
    tilde,
]


def normalize(text: str) -> str:
    """Normalize ``text``; the result keeps ``{汉字|pinyin}`` markup for fixed readings."""
    text = map_plain(text, lambda t: collapse_spaces(to_simplified(fold_width(t))))
    for r in RULES:
        text = r.apply(text)
    return map_plain(text, chinese_punctuation)


def normalize_text(text: str) -> str:
    """Normalize ``text`` to plain readable text (no markup)."""
    return strip_overrides(normalize(text))


__all__ = ["normalize", "normalize_text", "RULES", "Rule"]
