"""Mel spectrogram → waveform: Griffin-Lim (``griffin_lim``); WaveGlow comes with issue 5."""
