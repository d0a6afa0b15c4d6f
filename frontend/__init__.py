"""Mandarin text frontend: raw text → normalized text → pinyin → model symbols.

    >>> from frontend import Frontend
    >>> utt = Frontend()("今天是2026年11月24日。")[0]
    >>> utt.normalized, utt.pinyin[:2], utt.symbols[-1]
    ('今天是二零二六年十一月二十四日。', ['jin1', 'tian1'], '#4')

Stages, one module each: ``normalize`` (numbers, dates, units …), ``g2p``
(segmentation, dictionary readings), ``sandhi`` (tone changes), ``english``
(phonemizer), ``prosody`` (sentences, breaks), ``symbols`` (the versioned table).
This package does not import torch. ``Frontend`` is imported on first use, so code that
needs only the symbol table (training, synthesis from ids) does not load jieba or pypinyin.
"""

from .errors import FrontendError, NothingToRead
from .symbols import DEFAULT_TABLE, SymbolTable

__all__ = ["Frontend", "Utterance", "FrontendError", "NothingToRead", "SymbolTable", "DEFAULT_TABLE"]


def __getattr__(name: str):
    if name in ("Frontend", "Utterance"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'frontend' has no attribute {name!r}")
