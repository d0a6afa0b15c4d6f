"""Acoustic models: symbols (+ speaker, pitch, energy) → mel spectrogram."""
