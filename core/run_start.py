"""How a training run starts: fresh, resumed, or initialized from other weights.

- ``--resume`` continues a checkpoint exactly (the trainer restores optimizer, schedule, data
  position and RNG); the run's ``model:`` section must be the checkpoint's.
- ``--init CHECKPOINT`` starts a new run from a checkpoint's weights (same model section);
  ``--init DIR`` from a voice folder's acoustic weights (``open_voice_weights`` reads it).
- A fresh run refuses a folder that already holds one.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from core.checkpoint import load_checkpoint
from core.files import first_line


def saved_model_section(model, values: dict) -> dict:
    """A checkpoint's ``model:`` section as the config class reads it today: through the
    class's own ``saved`` (acoustic models: ``tts.models.migrate``), or with settings added
    since the checkpoint was written at their defaults."""
    saved = getattr(type(model), "saved", None)
    return asdict(saved(values)) if saved else {**asdict(type(model)()), **values}


def start_task(task_class, config, out: Path, resume=None, init=None, open_voice_weights=None):
    """→ (task, the checkpoint to resume or None). ``resume``: a path or "latest" (the run's
    own latest.pt); ``init``: a checkpoint or a voice folder; ``open_voice_weights(folder) →
    (speakers, state_dict)`` for the latter. ValueError with the reason otherwise."""
    latest = out / "checkpoints" / "latest.pt"
    if resume and init:
        raise ValueError("--resume and --init exclude each other")
    if not resume and latest.exists():
        raise ValueError(f"{out} already holds a run; pass --resume to continue it or choose another --out")
    if init and Path(init).is_dir():
        return _from_voice(task_class, config, Path(init), open_voice_weights), None
    if not (resume or init):
        return task_class(config), None
    start = Path(init) if init else latest if resume == "latest" else Path(resume)
    saved = load_checkpoint(start)
    if saved_model_section(config.model, saved["config"].get("model", {})) != asdict(config.model):
        raise ValueError(f"{start} was trained with another model: section; keep the model settings")
    task = task_class(config, state=saved["task_state"])
    if init:
        task.start_from(saved["model"])
        return task, None
    return task, start


def _from_voice(task_class, config, voice_dir: Path, open_voice_weights):
    """An acoustic task whose model starts from a voice folder's weights (fine-tuning a
    shipped voice: the config's model: section must describe the same model)."""
    if config.task != "acoustic" or open_voice_weights is None:
        raise ValueError(
            f"--init with a voice folder starts an acoustic model, not a {config.task} one; give a checkpoint"
        )
    speakers, weights = open_voice_weights(voice_dir)
    task = task_class(config, state={"speakers": speakers})
    try:
        task.start_from(weights)
    except RuntimeError as err:
        raise ValueError(
            f"{voice_dir}: its acoustic model does not fit the config's model: section "
            f"({first_line(err, 120)})"
        ) from None
    return task
