"""Training the duration-informed model on windows of each utterance.

The frame-level layers (pitch and energy predictors, decoder, postnet) cost nearly all of
a training step and grow with the frames; the text encoder is cheap. So each utterance
keeps a random run of whole symbols lasting at most ``frames`` frames: the symbols outside
it get 0 frames, so length regulation produces exactly the run's frames, and the mel, pitch
and energy targets are cut to the same frames. The encoder still reads the whole text, and
the duration predictor still learns every symbol's duration (``duration_target``).
"""

from __future__ import annotations

import torch

FRAME_KEYS = ("mel", "pitch", "contour", "voiced", "energy")


def crop_to_symbol_spans(batch: dict, frames: int) -> dict:
    """A copy of ``batch`` (as ``tts.data.loader.collate`` makes it, with durations) whose
    utterances longer than ``frames`` keep a random run of whole symbols of at most
    ``frames`` frames (at least one symbol), left-aligned and zero-padded; ``durations``
    is 0 outside each run and ``duration_target`` holds the full durations (B, N)."""
    durations = batch["durations"]
    b = durations.shape[0]
    kept = torch.zeros_like(durations)
    starts, lengths = [], []
    for i in range(b):
        n = int(batch["symbol_lengths"][i])
        d = durations[i, :n]
        ends = d.cumsum(0)
        total = int(ends[-1]) if n else 0
        if total <= frames:
            kept[i, :n], first_frame, length = d, 0, total
        else:
            begins = ends - d
            candidates = torch.nonzero(begins <= total - frames).flatten()
            first = int(candidates[torch.randint(len(candidates), ())])
            fitting = int((ends[first:] - begins[first] <= frames).sum())  # ends only grow
            last = first + max(fitting - 1, 0)  # at least the first symbol
            kept[i, first : last + 1] = d[first : last + 1]
            first_frame = int(begins[first])
            length = int(ends[last]) - first_frame
        starts.append(first_frame)
        lengths.append(length)
    t = max(max(lengths), 1)
    out = {**batch, "durations": kept, "duration_target": durations, "mel_lengths": torch.tensor(lengths)}
    for key in FRAME_KEYS:
        full = batch[key]
        cut = full.new_zeros(*full.shape[:-1], t)
        for i, (s, n) in enumerate(zip(starts, lengths)):
            cut[i, ..., :n] = full[i, ..., s : s + n]
        out[key] = cut
    return out
