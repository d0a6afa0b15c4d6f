"""The acoustic model: symbols (+ speaker, pitch, energy) → mel spectrogram.

    models/     Tacotron2 with attention and the duration-informed Tacotron2, losses
    data/       prepared features as training batches
    training/   the acoustic training task and its intelligibility probe
    voices/     the shipped voice (package data)

Importing ``tts`` loads nothing heavy; each submodule imports torch where it needs it.
"""
