"""Checkpoints: written atomically and durably (``core.files``), read with ``weights_only``.

A checkpoint is a dict of tensors and plain Python values only (no pickled objects), so
loading one cannot run code. It carries a SHA-256 of its contents (every tensor's bytes,
every value), checked at load: damaged bytes are an error, never weights that train on as
NaN. Checkpoints written before the checksum existed load without the check.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import torch

from core.files import atomic_write, first_line

FORMAT = "mandarin-tts-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file."""


def digest(value, h=None) -> str:
    """SHA-256 over a checkpoint's contents: dict keys in order, tensors by dtype, shape and
    bytes, other values by ``repr``."""
    h = h or hashlib.sha256()
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            h.update(repr(k).encode())
            digest(value[k], h)
    elif isinstance(value, (list, tuple)):
        h.update(b"[")
        for v in value:
            digest(v, h)
        h.update(b"]")
    elif isinstance(value, torch.Tensor):
        t = value.detach().cpu().contiguous()
        h.update(f"{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    else:
        h.update(repr(value).encode())
    return h.hexdigest()


def save_checkpoint(path: str | Path, state: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"format": FORMAT, "version": VERSION, **state}
    state["sha256"] = digest(state)
    atomic_write(path, lambda f: torch.save(state, f))


TRAINING_STATE = (
    "optimizer",
    "scheduler",
    "scaler",
    "rng",
    "epoch",
    "batch_in_epoch",
    "best_val",
    "world_size",
)


def weights_only(state: dict) -> dict:
    """Checkpoint ``state`` without its training state (optimizer moments, scheduler, data
    position, RNGs): about a third of the size, enough to synthesize and to start a new run
    from (``tts-train --init``), not to resume."""
    return {k: v for k, v in state.items() if k not in TRAINING_STATE}


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # corrupt, truncated, or holding objects weights_only refuses
        raise CheckpointError(
            f"{path}: not a readable checkpoint ({first_line(err)}){_others(path)}"
        ) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a mandarin-tts checkpoint")
    if state.get("version", 0) > VERSION:
        raise CheckpointError(
            f"{path}: checkpoint version {state['version']} is newer than this toolkit reads"
        )
    expected = state.pop("sha256", None)
    if expected is not None and digest(state) != expected:
        raise CheckpointError(f"{path}: damaged (its contents do not match their checksum){_others(path)}")
    return state


def _others(path: Path) -> str:
    """Where to go instead: the other checkpoints of the same run folder."""
    others = sorted(p.name for p in path.parent.glob("*.pt") if p.name != path.name)
    return f"; the same folder holds {', '.join(others)} (--resume PATH)" if others else ""


def rng_state() -> dict:
    """Every random generator training touches, in a weights_only-safe form."""
    np_state = np.random.get_state()
    state = {
        "python": random.getstate(),
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(_tuples(state["python"]))
    torch.set_rng_state(state["torch"])
    name, keys, *rest = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), *rest))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _tuples(x):
    return tuple(_tuples(v) for v in x) if isinstance(x, (list, tuple)) else x
