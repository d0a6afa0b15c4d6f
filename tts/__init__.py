"""The acoustic model, its data and training, the synthesis pipeline and the command-line tools.

Importing ``tts`` loads nothing heavy; each submodule imports torch where it needs it.
"""
