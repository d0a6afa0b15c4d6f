"""Reading back what a training run logged: TensorBoard scalars by step."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def scalars(run: Path, tags: Iterable[str]) -> list[dict]:
    """One row per logged step of ``run`` (a tts-train output folder): ``{"step": n, tag:
    value, ...}`` for those of ``tags`` (``val/asr_error``, ``train/loss``, ...) logged at
    that step, in step order."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(Path(run) / "tensorboard"), size_guidance={"scalars": 0})
    events.Reload()
    logged = set(events.Tags()["scalars"])
    rows: dict[int, dict] = {}
    for tag in tags:
        if tag in logged:
            for e in events.Scalars(tag):
                rows.setdefault(e.step, {"step": e.step})[tag] = e.value
    return [rows[s] for s in sorted(rows)]
