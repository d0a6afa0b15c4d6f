"""English words → espeak-ng phonemes (through ``phonemizer``), as ``@``-prefixed symbols."""

from __future__ import annotations

import logging
from functools import lru_cache

from .errors import FrontendError
from .symbols import ENGLISH_PHONES, ENGLISH_PREFIX, ENGLISH_STRESS

_KNOWN = set(ENGLISH_PHONES) | set(ENGLISH_STRESS)
_BY_LENGTH = sorted(_KNOWN, key=len, reverse=True)


@lru_cache(maxsize=1)
def _backend():
    try:
        from phonemizer.backend import EspeakBackend

        logger = logging.getLogger("phonemizer")
        logger.setLevel(logging.ERROR)
        return EspeakBackend("en-us", with_stress=True, logger=logger)
    except RuntimeError as err:  # espeak-ng library missing
        raise FrontendError(f"English words need espeak-ng (apt-get install espeak-ng): {err}") from None


def _split_phone(phone: str) -> tuple[list[str], str]:
    """Split one espeak phone into known symbols (stress marks apart); return leftovers."""
    out, rest = [], phone
    while rest:
        for known in _BY_LENGTH:
            if rest.startswith(known):
                out.append(known)
                rest = rest[len(known) :]
                break
        else:
            return out, rest
    return out, ""


@lru_cache(maxsize=65536)
def _phonemize_word(word: str) -> tuple[tuple[str, ...], str]:
    from phonemizer.separator import Separator

    text = _backend().phonemize([word], separator=Separator(phone=" ", word=" | ", syllable=""), strip=True)[
        0
    ]
    phones, unknown = [], []
    for phone in text.replace("|", " ").split():
        known, left = _split_phone(phone)
        phones += known
        if left:
            unknown.append(left)
    return tuple(ENGLISH_PREFIX + p for p in phones), "".join(unknown)


def english_phones(word: str) -> tuple[list[str], str]:
    """Phoneme symbols of one English word (``"hello"`` → ``@h @ə @l @ˈ @oʊ``).

    Returns ``(symbols, unknown)``: ``unknown`` holds any espeak output outside the
    symbol table, for the caller to report.
    """
    phones, unknown = _phonemize_word(word)
    return list(phones), unknown
