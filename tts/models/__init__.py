"""Acoustic models: symbols (+ speaker, pitch, energy) → mel spectrogram.

base.py               the config, output, statistics and interface every model shares
registry.py           models by name (``kind``): ``build_acoustic``, ``register``
migrate.py            configs and weights saved by earlier versions
layers.py             the text encoder and prenet both families use
tacotron2.py          Tacotron2 with attention; tacotron2_export.py: its exported graphs
duration_tacotron.py  the duration-informed Tacotron2; duration_steps.py: its inference
                      steps for every backend (numpy, no torch)
variance.py           pitch and energy predictors; losses.py; alignment.py
"""

from .registry import build_acoustic, register  # noqa: F401
