"""Dates, years, times of day and number ranges."""

from __future__ import annotations

import re

from .numbers import YI1, cardinal, digits
from .rule import after, rule


def _ordinal(s: str) -> str:
    """A month, day or hour: a lone 1 reads yī (一月, 一号, 一点), never with sandhi."""
    return YI1 if int(s) == 1 else cardinal(str(int(s)))


def _is_date(month: str, day: str | None) -> bool:
    return 1 <= int(month) <= 12 and (day is None or 1 <= int(day) <= 31)


@rule("numeric date", r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.])")
def numeric_date(m: re.Match) -> str:
    year, sep, month, day = m.groups()
    if not _is_date(month, day):  # a code, not a date (2026-13-45): digit by digit
        return {"-": "杠", "/": "斜杠", ".": "点"}[sep].join(digits(g) for g in (year, month, day))
    return f"{digits(year)}年{_ordinal(month)}月{_ordinal(day)}日"


@rule("year", r"(?<![\d.])(\d{4}|\d{2})(?=\s*(?:[-—–~～至到]\s*\d{2,4})?\s*年(?!级|龄|纪|薪|终|利率|均))")
def year(m: re.Match) -> str:
    text_after = after(m, 6)
    if len(m.group(1)) == 2 and not re.match(r"\s*年(代|\d{1,2}月)", text_after):
        return m.group(0)  # "10年" is ten years; "98年3月" and "90年代" are years
    return digits(m.group(1))


@rule("month and day", r"(?<![\d.])(\d{1,2})月(?:(\d{1,2})([日号]))?")
def month_day(m: re.Match) -> str:
    month, day, suffix = m.groups()
    if not _is_date(month, day):
        return m.group(0)
    return f"{_ordinal(month)}月" + (f"{_ordinal(day)}{suffix}" if day else "")


@rule("day", r"(?<=月)(\d{1,2})(?=[日号])")
def day(m: re.Match) -> str:
    return _ordinal(m.group(1)) if 1 <= int(m.group(1)) <= 31 else m.group(0)


@rule("clock time", r"(?<![\d.:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
def clock_time(m: re.Match) -> str:
    h, mi, s = m.groups()
    if int(h) > 24 or int(mi) > 59 or (s is not None and int(s) > 59):
        return m.group(0)  # not a time; the ratio rule reads it
    hour = "两" if int(h) == 2 else _ordinal(h)
    out = f"{hour}点"
    if int(mi) or s:
        out += ("零" if mi.startswith("0") and int(mi) else "") + cardinal(str(int(mi))) + "分"
    if s:
        out += ("零" if s.startswith("0") and int(s) else "") + cardinal(str(int(s))) + "秒"
    return out


@rule("ordinal", r"第\s*(\d+)")
def ordinal(m: re.Match) -> str:
    return "第" + _ordinal(m.group(1))


RULES = [numeric_date, year, month_day, day, clock_time, ordinal]
