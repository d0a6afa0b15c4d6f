"""The inference steps of a duration-informed acoustic model, written once for every
backend (PyTorch, TorchScript, ONNX on onnxruntime alone): numpy and two graphs.

    text    symbols (B, N) int64, lengths (B,) int64[, speakers (B,) int64]
            → memory (B, N, E), log_durations (B, N) = log(1 + frames)
    frames  memory, durations (B, N) int64, pitch_shift () float32, energy_scale () float32
            → FRAME_OUTPUTS: log_mel, log_mel_post (B, n_mels, T), lengths (B,), index (B, T)
              the symbol of each frame, pitch, energy, pitch_pred, energy_pred (B, T)

A graph is anything called as ``graph(**arrays) → {output name: array}``
(``core.onnx_graph.OnnxGraph``, ``core.graph_spec.TorchGraph``). Rounding the durations
happens here, between the graphs, the same way on every backend. No torch import.
"""

from __future__ import annotations

import numpy as np

from core.pitch import semitones_to_pitch_shift

TEXT_INPUTS = ["symbols", "lengths", "speakers"]
TEXT_OUTPUTS = ["memory", "log_durations"]
FRAME_INPUTS = ["memory", "durations", "pitch_shift", "energy_scale"]
FRAME_OUTPUTS = [
    "log_mel",
    "log_mel_post",
    "lengths",
    "index",
    "pitch",
    "energy",
    "pitch_pred",
    "energy_pred",
]


def durations_from_log(log_durations: np.ndarray, lengths: np.ndarray, pace: float = 1.0) -> np.ndarray:
    """(B, N) predicted log(1 + frames) → frames (B, N) int64, 0 on padding; an item whose
    symbols all round to 0 frames gets 1."""
    mask = np.arange(log_durations.shape[1])[None, :] < np.asarray(lengths)[:, None]
    d = np.maximum(np.round(np.expm1(log_durations) / pace), 0).astype(np.int64) * mask
    d[:, 0] = np.where(d.sum(1) == 0, 1, d[:, 0])
    return d


def run(
    text,
    frames,
    symbols: np.ndarray,
    lengths: np.ndarray,
    speakers: np.ndarray | None,
    pitch_shift: float,
    energy_scale: float,
    pace: float,
    log_f0_std: float,
) -> dict[str, np.ndarray]:
    """Text → log-mels through the two graphs. ``pitch_shift`` in semitones, ``energy_scale``
    multiplies the predicted energy, ``pace`` divides the predicted durations →
    the ``frames`` graph's outputs and ``durations`` (B, N)."""
    feeds = {"symbols": np.asarray(symbols, dtype=np.int64), "lengths": np.asarray(lengths, dtype=np.int64)}
    if speakers is not None:
        feeds["speakers"] = np.asarray(speakers, dtype=np.int64)
    encoded = text(**feeds)
    durations = durations_from_log(encoded["log_durations"], feeds["lengths"], pace)
    shift = semitones_to_pitch_shift(pitch_shift, log_f0_std) if pitch_shift else 0.0
    out = frames(
        memory=encoded["memory"],
        durations=durations,
        pitch_shift=np.array(shift, dtype=np.float32),
        energy_scale=np.array(energy_scale, dtype=np.float32),
    )
    return {**out, "durations": durations}
