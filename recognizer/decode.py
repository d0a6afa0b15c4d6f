"""CTC decoding: greedy (best path) and prefix beam search over log-probabilities."""

from __future__ import annotations

import math
from collections import defaultdict

import torch


def greedy_decode(
    log_probs: torch.Tensor, lengths: torch.Tensor | None = None, blank: int = 0
) -> list[list[int]]:
    """(B, T, V) → per item: argmax path with repeats merged and blanks removed."""
    best = log_probs.argmax(-1)
    out = []
    for b in range(best.shape[0]):
        path = best[b, : int(lengths[b]) if lengths is not None else best.shape[1]].tolist()
        out.append([t for i, t in enumerate(path) if t != blank and (i == 0 or t != path[i - 1])])
    return out


def _logadd(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def beam_search(log_probs: torch.Tensor, beam: int = 8, blank: int = 0, prune: float = -12.0) -> list[int]:
    """Prefix beam search for one utterance: (T, V) log-probabilities → best token sequence.

    Each prefix keeps two scores, ending in blank and ending in a token, so repeated
    tokens separated by a blank are kept apart. At each frame only the ``beam`` likeliest
    tokens above ``prune`` are extended, so the work is frames × beam².
    """
    lp = log_probs.detach().float().cpu()
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, -math.inf)}
    for t in range(lp.shape[0]):
        frame = lp[t]
        top = torch.topk(frame, min(beam, frame.shape[0]))
        candidates = [int(v) for p, v in zip(top.values, top.indices) if p > prune] or [int(top.indices[0])]
        nxt: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [-math.inf, -math.inf])
        for prefix, (p_blank, p_token) in beams.items():
            total = _logadd(p_blank, p_token)
            for v in candidates:
                p = float(frame[v])
                if v == blank:
                    nxt[prefix][0] = _logadd(nxt[prefix][0], total + p)
                    continue
                extended = prefix + (v,)
                if prefix and prefix[-1] == v:
                    nxt[extended][1] = _logadd(nxt[extended][1], p_blank + p)  # a new token after a blank
                    nxt[prefix][1] = _logadd(nxt[prefix][1], p_token + p)  # the same token continues
                else:
                    nxt[extended][1] = _logadd(nxt[extended][1], total + p)
        beams = dict(
            sorted(((k, (v[0], v[1])) for k, v in nxt.items()), key=lambda kv: _logadd(*kv[1]), reverse=True)[
                :beam
            ]
        )
    return list(max(beams.items(), key=lambda kv: _logadd(*kv[1]))[0])
