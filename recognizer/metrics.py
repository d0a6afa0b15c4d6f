"""Token error rate: (substitutions + deletions + insertions) / reference length, by
Levenshtein alignment (rapidfuzz). Over syllables it is the syllable-level CER."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    return Levenshtein.distance(reference, hypothesis)


def error_rate(references: list[list[str]], hypotheses: list[list[str]]) -> float:
    """Corpus-level rate: total edits over total reference tokens (not a mean of rates)."""
    if len(references) != len(hypotheses):
        raise ValueError("need one hypothesis per reference")
    total = sum(len(r) for r in references)
    if total == 0:
        raise ValueError("the references are empty")
    return sum(edit_distance(r, h) for r, h in zip(references, hypotheses)) / total


def without_tones(syllables: list[str]) -> list[str]:
    """Toned pinyin → the same syllables with the tone digit dropped (``hao3`` → ``hao``)."""
    return [s.rstrip("012345") or s for s in syllables]


def toneless_error_rate(references: list[list[str]], hypotheses: list[list[str]]) -> float:
    """``error_rate`` with every syllable's tone dropped first: a wrong tone is no error."""
    return error_rate([without_tones(r) for r in references], [without_tones(h) for h in hypotheses])
