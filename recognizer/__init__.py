"""The shared recognizer: log-mel frames → toned pinyin syllables (CTC).

It scores how intelligible synthesized speech is: tokens are toned syllables, so a wrong
tone counts as an error, like a wrong syllable.

    tokens.py    the token set (blank + toned syllables), saved with the model
    model.py     CRNN (CNN + BiLSTM) and a Transformer-encoder variant, one interface
    augment.py   SpecAugment and speed perturbation
    decode.py    greedy CTC and prefix beam search
    metrics.py   token (syllable) error rate
"""
