"""How well an attention alignment is formed, measured rather than looked at.

For one utterance's alignment (steps, symbols), trimmed to its real size:

- ``focus``: mean over steps of the largest weight (1.0 = fully sharp);
- ``monotonic``: share of steps whose most-attended symbol does not move backwards;
- ``coverage``: share of symbols that are the most-attended one at some step;
- ``diagonal``: Pearson correlation of step index with most-attended symbol index;
- ``end``: whether the last steps attend to the last symbols.

A well-trained Tacotron has focus > 0.5, monotonic ≈ 1, coverage > 0.8, diagonal > 0.95.
"""

from __future__ import annotations

import torch


def alignment_metrics(alignment: torch.Tensor) -> dict[str, float]:
    a = alignment.detach().float().cpu()
    steps, n = a.shape
    peak, idx = a.max(dim=1)
    moves = idx[1:] - idx[:-1]
    s = torch.arange(steps, dtype=torch.float32)
    i = idx.float()
    if steps > 1 and i.std() > 0:
        diag = float(torch.corrcoef(torch.stack([s, i]))[0, 1])
    else:
        diag = 0.0
    return {
        "focus": float(peak.mean()),
        "monotonic": float((moves >= 0).float().mean()) if steps > 1 else 1.0,
        "coverage": len(set(idx.tolist())) / n,
        "diagonal": diag,
        "end": float(bool((idx[-max(1, min(3, steps)) :] >= n - 3).any())),
    }
