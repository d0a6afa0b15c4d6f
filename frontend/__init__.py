"""Mandarin text frontend: raw text → normalized text → pinyin → model symbols.

    >>> from frontend import Frontend
    >>> utt = Frontend()("今天是2026年11月24日。")[0]
    >>> utt.normalized, utt.pinyin[:2], utt.symbols[-1]
    ('今天是二零二六年十一月二十四日。', ['jin1', 'tian1'], '#4')

Stages, one module each: ``normalize`` (numbers, dates, units …), ``g2p``
(segmentation, dictionary readings), ``sandhi`` (tone changes), ``english``
(phonemizer), ``prosody`` (sentences, breaks), ``symbols`` (the versioned table).
This package does not import torch.
"""
from .errors import FrontendError
from .pipeline import Frontend, Utterance
from .symbols import DEFAULT_TABLE, SymbolTable

__all__ = ["Frontend", "Utterance", "FrontendError", "SymbolTable", "DEFAULT_TABLE"]
