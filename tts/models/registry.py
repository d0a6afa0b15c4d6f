"""Acoustic models by name: ``kind`` in a config names the class that builds it.

    MODELS["tacotron2"]  Tacotron2 with location-sensitive attention (tts.models.tacotron2)
    MODELS["duration"]   the duration-informed Tacotron2 (tts.models.duration_tacotron)

A new model is one module in ``tts/models`` and one ``register`` call. The shipped models
are named by module path, so listing them imports nothing.
"""

from __future__ import annotations

import importlib

MODELS: dict[str, str | type] = {
    "tacotron2": "tts.models.tacotron2:Tacotron2",
    "duration": "tts.models.duration_tacotron:DurationTacotron2",
}
# a model: section without ``kind`` picks the model by its ``decoder`` (earlier configs)
DECODER_KINDS = {"attention": "tacotron2", "parallel": "duration", "autoregressive": "duration"}


def register(kind: str, model_class: type) -> None:
    """Make ``model_class`` (a ``tts.models.base.AcousticModel``) buildable as ``kind``."""
    MODELS[kind] = model_class


def kind_of(values: dict) -> str:
    """The model a config section or saved config is for: its ``kind``, or for configs
    written before models had one, what its ``decoder`` implies."""
    kind = values.get("kind") or DECODER_KINDS.get(values.get("decoder", "attention"), "")
    if kind not in MODELS:
        raise ValueError(f"unknown acoustic model {kind or values.get('decoder')!r} ({', '.join(MODELS)})")
    return kind


def model_class(kind: str) -> type:
    entry = MODELS.get(kind)
    if entry is None:
        raise ValueError(f"unknown acoustic model {kind!r} ({', '.join(MODELS)})")
    if isinstance(entry, str):
        module, name = entry.split(":")
        entry = MODELS[kind] = getattr(importlib.import_module(module), name)
    return entry


def config_class(kind: str) -> type:
    return model_class(kind).config_class


def build_acoustic(config):
    """The acoustic model ``config`` describes (its ``kind``)."""
    return model_class(config.kind)(config)
