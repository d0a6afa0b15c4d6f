"""Configs and weights saved by earlier versions, read by this one. Every rule for an old
format is here, and nowhere else.

- Configs (checkpoints, voice folders, export manifests) were one shared dict for every
  model, picked by ``decoder``: the model is found by ``registry.kind_of`` and keys its config
  does not have (the other models' sizes, retired keys) are dropped.
- Duration-informed weights from before ``zero_init_variance`` scaled the pitch, energy and
  speaker projections by learned scalars (``gains``): folded into the projections, exactly.
- Export manifests without ``torch_free`` ran on onnxruntime alone for the parallel decoder.

No torch import at module level: the torch-free runtime reads manifests here.
"""

from __future__ import annotations

import dataclasses

from .registry import config_class, kind_of


def saved_config(values: dict):
    """The config stored with a model (checkpoint, voice or export), in any saved format."""
    kind = kind_of(values)
    cls = config_class(kind)
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in known and k != "kind"}, kind=kind)


def fold_variance_gains(state_dict: dict, prefix: str) -> None:
    """In place: ``gains`` (pitch, energy, speaker scalars) multiplied into their projections."""
    gains = state_dict.pop(prefix + "gains", None)
    if gains is None:
        return
    for g, name in zip(gains, ("pitch_embedding.proj", "energy_embedding.proj", "speaker_proj")):
        for part in ("weight", "bias"):
            key = prefix + f"{name}.{part}"
            if key in state_dict:
                state_dict[key] = state_dict[key] * g


def export_is_torch_free(manifest: dict) -> bool:
    """Whether an export's acoustic graphs run on onnxruntime and numpy alone."""
    if "torch_free" in manifest:
        return bool(manifest["torch_free"])
    return manifest.get("acoustic_config", {}).get("decoder") == "parallel"
