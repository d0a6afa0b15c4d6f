"""A normalization rule: a regular expression and the function that reads a match."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..overrides import map_plain


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    read: Callable[[re.Match], str]

    def apply(self, text: str) -> str:
        """Rewrite every match in the plain parts of ``text`` (override markup is kept)."""
        return map_plain(text, lambda part: self.pattern.sub(self.read, part))


def rule(name: str, pattern: str, flags: int = 0):
    """Decorator: ``@rule("time", r"...")`` turns a reader function into a Rule."""

    def wrap(fn: Callable[[re.Match], str]) -> Rule:
        return Rule(name, re.compile(pattern, flags), fn)

    return wrap


def after(m: re.Match, n: int = 4) -> str:
    """The text just after a match (for context such as a following measure word)."""
    return m.string[m.end() : m.end() + n]
