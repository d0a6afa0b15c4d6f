"""Data every component trains on: readers for dataset layouts and prepared features
(corpora the toolkit renders itself are in the ``corpus`` package).

    splits.py        train/val/test of a sentence, by its text
    datasets.py      one reader interface for builtin, LJSpeech, Baker, AISHELL-3
    items.py         a prepared utterance's cached arrays
    prepare.py       cached, resumable, multiprocess feature extraction and statistics
    align.py         durations per symbol from a Viterbi-trained HMM aligner
"""
