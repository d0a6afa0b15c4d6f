"""Recognizer tokens: CTC blank (id 0) then toned pinyin syllables (``hao3``), sorted."""

from __future__ import annotations

from dataclasses import dataclass

BLANK = "<blank>"


@dataclass(frozen=True)
class TokenSet:
    tokens: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.tokens or self.tokens[0] != BLANK:
            raise ValueError("the first token must be the CTC blank")
        object.__setattr__(self, "_ids", {t: i for i, t in enumerate(self.tokens)})

    @classmethod
    def from_transcripts(cls, transcripts: list[list[str]]) -> TokenSet:
        return cls((BLANK, *sorted({s for t in transcripts for s in t})))

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, syllables: list[str]) -> list[int]:
        """Known syllables → ids; syllables outside the set are left out (and counted by the caller)."""
        return [self._ids[s] for s in syllables if s in self._ids]

    def decode(self, ids: list[int]) -> list[str]:
        return [self.tokens[i] for i in ids if i != 0]

    def to_list(self) -> list[str]:
        return list(self.tokens)
