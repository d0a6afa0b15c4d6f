"""``tts-server``: an HTTP service that keeps a voice loaded.

app.py     routes, validation, the bounded worker pool, streaming, limits, errors
audio.py   float samples → WAV (streamable), raw PCM, FLAC, MP3, Opus
static/    the demo page served at ``/``
"""
