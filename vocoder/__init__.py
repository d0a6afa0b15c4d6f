"""Mel spectrogram → waveform: WaveGlow and the Griffin-Lim baseline (not yet written: see issue 5)."""
