"""Which split (train, val, test) a sentence belongs to, by its text alone: the same
sentence lands in the same split in every corpus, engine and dataset reader, so no test
sentence is ever trained on under another voice."""

from __future__ import annotations

import hashlib

SPLITS = (("train", 0.90), ("val", 0.05), ("test", 0.05))


def split_of(normalized_text: str) -> str:
    """train/val/test from a hash of the sentence: stable across runs and machines."""
    h = int(hashlib.sha1(normalized_text.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if h <= edge:
            return name
    return SPLITS[-1][0]
