"""Inline reading overrides: ``{行|hang2}`` or ``{重庆|chong2 qing4}`` in the text.

The same markup carries readings that normalization decides (a ``1`` read as
``{一|yi1}`` in a date, ``{幺|yao1}`` in a phone number), so one mechanism fixes a
reading from either source. An overridden syllable is final: tone sandhi leaves it.
"""

from __future__ import annotations

import re

from .errors import FrontendError

OVERRIDE_RE = re.compile(r"\{([^{}|]*)\|([^{}]*)\}")
BREAK_MARK_RE = re.compile(r"#[1-4]")  # prosody labels as in Baker (卡尔普#2陪外孙#1)
PROTECTED_RE = re.compile(f"{OVERRIDE_RE.pattern}|{BREAK_MARK_RE.pattern}")
SYLLABLE_RE = re.compile(r"^[a-zü]+r?[1-5]$")


def fixed(hanzi: str, pinyin: str) -> str:
    """Markup that forces ``pinyin`` (space-separated, one syllable per character)."""
    return "{" + hanzi + "|" + pinyin + "}"


def parse_overrides(text: str) -> tuple[str, dict[int, str]]:
    """Remove the markup: ``"{行|hang2}走"`` → ``("行走", {0: "hang2"})``.

    Returns the plain text and the forced reading at each overridden character offset.
    Raises FrontendError for malformed markup (wrong syllable count, bad syllable).
    """
    plain: list[str] = []
    fixed: dict[int, str] = {}
    length, pos = 0, 0
    for m in OVERRIDE_RE.finditer(text):
        plain.append(text[pos : m.start()])
        length += m.start() - pos
        hanzi, reading = m.group(1).strip(), m.group(2).replace("ü", "v").lower().split()
        if not hanzi or len(reading) != len(hanzi):
            raise FrontendError(
                f"override {m.group(0)!r} needs one toned syllable per character "
                f"({len(hanzi)} characters, {len(reading)} syllables)"
            )
        bad = [s for s in reading if not SYLLABLE_RE.match(s)]
        if bad:
            raise FrontendError(
                f"override {m.group(0)!r}: {bad[0]!r} is not a toned pinyin syllable like hang2"
            )
        fixed.update({length + i: syl for i, syl in enumerate(reading)})
        plain.append(hanzi)
        length += len(hanzi)
        pos = m.end()
    plain.append(text[pos:])
    plain_text = "".join(plain)
    stray = re.search(r"[{}]", plain_text)
    if stray:
        near = plain_text[max(0, stray.start() - 4) : stray.start() + 5]
        raise FrontendError(
            f"unbalanced reading markup near {near!r}: write {{字|zi4}}, "
            "one pair of braces per override, not nested"
        )
    return plain_text, fixed


def strip_overrides(text: str) -> str:
    """The text as it reads: ``{一|yi1}月`` → ``一月``."""
    return OVERRIDE_RE.sub(lambda m: m.group(1), text)


def map_plain(text: str, fn) -> str:
    """Apply ``fn`` to the plain parts of ``text``; markup and ``#1``…``#4`` pass untouched."""
    out, pos = [], 0
    for m in PROTECTED_RE.finditer(text):
        out.append(fn(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(text[pos:]))
    return "".join(out)
