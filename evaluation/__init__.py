"""Scores for synthesized speech: text → … → waveform → **scores**.

``dtw`` aligns frames; ``mcd``, ``f0`` and ``spectral`` define the per-pair metrics
(each module states its exact definition); ``compare`` runs them on one pair of
waveforms; ``stats`` aggregates (mean, 95% CI); ``evaluate`` builds pairs in the three
modes of ``tts-eval`` and adds the recognizer's error rate; ``report`` writes JSON + HTML.
"""
