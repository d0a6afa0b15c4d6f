"""When the two judges disagree, say so.

The project's recognizer and Whisper base score the same audio. Each is trustworthy only on
speech like what it heard in training: the recognizer on its corpora, Whisper on human speech.
Where their toneless syllable errors differ by more than ``MARGIN``, one of them has not heard
speech like this, and a single figure would mislead. ``disagreement`` gives the one line that
says so, with both figures, what the recognizer was trained on, and which judge to prefer.
"""

from __future__ import annotations

from pathlib import Path

# Measured (benchmarks/results/judge_generalization.json, 40 test sentences): where the judge
# had heard such speech (the teachers, their Griffin-Lim copies, 10 dB noise, held-out speakers,
# the default voice) the gap is at most 9.1 points; in 0-5 dB noise and a 0.4 s room 11-27;
# on espeak-ng (Whisper never heard it) 75; crnn_builtin on the teachers about 94 (its CARD).
MARGIN = 0.15
NATURAL_JUDGE = "recognizer/pretrained/crnn_speakers.pt"


def disagreement(
    what: str,
    recognizer_toneless: float,
    whisper_toneless: float,
    trained_on: str,
    recognizer: str = "",
    margin: float = MARGIN,
) -> str | None:
    """One line when the judges' toneless errors on ``what`` differ by more than ``margin``
    (e.g. what = "synthesized speech"); None when they agree within it. ``recognizer``: its
    checkpoint, so that the line does not suggest the judge already in use."""
    gap = recognizer_toneless - whisper_toneless
    if abs(gap) <= margin:
        return None
    figures = (
        f"the judges disagree on the {what}: the project's recognizer misses {recognizer_toneless:.1%} "
        f"of the syllables (tones ignored), Whisper base {whisper_toneless:.1%}"
    )
    if gap > 0:
        advice = (
            f"the recognizer was trained on {trained_on}, not on speech like this: "
            "trust Whisper base (--judge whisper)"
        )
        if Path(recognizer).name != Path(NATURAL_JUDGE).name:
            advice += f" or a recognizer that heard such speech (--recognizer {NATURAL_JUDGE})"
    else:
        advice = (
            "Whisper base was trained on human speech and hears this speech poorly; the recognizer, "
            f"trained on {trained_on}, is the better-suited judge here (--judge recognizer)"
        )
    return f"{figures}; {advice}"
