"""Character-level cleanup before the reading rules: width, script, whitespace, punctuation."""

from __future__ import annotations

import re
from functools import lru_cache

# Full-width forms whose Chinese use is punctuation stay as they are (，。！？etc.);
# full-width digits, letters and number symbols fold to ASCII so the rules see them.
_FOLD = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
for _keep in "，！？；（）":
    _FOLD.pop(ord(_keep))
_FOLD.update({0x3000: " ", ord("￥"): "¥", ord("－"): "-", ord("—"): "—"})


def fold_width(text: str) -> str:
    """Full-width digits, letters and symbols → ASCII: ``１２：３０`` → ``12:30``."""
    return text.translate(_FOLD)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC ``t2s``): ``漢語`` → ``汉语``."""
    return _t2s().convert(text)


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f]+")


def collapse_spaces(text: str) -> str:
    """Runs of spaces and tabs become one space; line breaks are kept (they end sentences)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", text).strip(" ")


# ASCII punctuation next to Chinese becomes the Chinese mark, so the normalized text
# reads as Chinese and the prosody stage sees one form.
_CJK = r"[\u3400-\u9fff]"
_ASCII_TO_CJK = {",": "，", "!": "！", "?": "？", ";": "；", ":": "：", ".": "。", "(": "（", ")": "）"}


def chinese_punctuation(text: str) -> str:
    """``好,走!`` → ``好，走！``; punctuation inside English text (``Mr. Smith``) is kept."""
    text = re.sub(rf"(?<={_CJK})\s*([,!?;:.])(?!\d)", lambda m: _ASCII_TO_CJK[m.group(1)], text)
    return re.sub(rf"([,!?;:])\s*(?={_CJK})", lambda m: _ASCII_TO_CJK[m.group(1)], text)
