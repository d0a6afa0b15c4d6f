"""Console scripts (``tts-*``): each module parses arguments and calls one library function."""
