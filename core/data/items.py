"""Reading a prepared folder's cached utterances (``items/<id>.npz``, written by ``prepare``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def load_item(feats_dir: str | Path, utt_id: str) -> dict[str, np.ndarray]:
    """The cached arrays of one utterance (no pickled objects are read)."""
    with np.load(Path(feats_dir) / "items" / f"{utt_id}.npz", allow_pickle=False) as data:
        return {k: data[k] for k in data.files}
