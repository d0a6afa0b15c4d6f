"""MOS listening tests, end to end: waveform → **human scores**.

``build`` makes a test folder from folders of WAVs (one per system), ``server`` serves it
and stores every rating in SQLite as it arrives, ``stats`` turns ratings into MOS with
confidence intervals that account for raters and sentences, ``report`` writes JSON,
Markdown and a plot. ``static/`` holds the rating page (works offline too).
"""
