"""Acoustic models: symbols (+ speaker, pitch, energy) → mel spectrogram."""


def build_acoustic(config):
    """The acoustic model a ``Tacotron2Config`` describes: Tacotron2 with attention, or the
    duration-informed model (``decoder: parallel | autoregressive``)."""
    if config.decoder == "attention":
        from .tacotron2 import Tacotron2

        return Tacotron2(config)
    from .duration_tacotron import DurationTacotron2

    return DurationTacotron2(config)
