"""The one way to open a voice for synthesis: a voice folder or an export, on any backend."""

from __future__ import annotations

from pathlib import Path

import torch

from synthesis.cards import BACKENDS, VoiceError, is_export, read_manifest
from synthesis.catalogue import resolve_voice
from synthesis.deploy.runtime import load_export
from synthesis.voice import Voice, load_voice


def open_voice(
    voice: str | Path,
    backend: str | None = None,
    device: str | torch.device = "cpu",
    quantize: str | None = None,
) -> tuple[Voice, str]:
    """A voice folder, an export or a shipped voice's name, checked → (voice, the backend it
    runs on). ``backend``:
    None (what the folder is), "torch" (a voice folder), "torchscript" or "onnx" (an export,
    CPU only). ``quantize="int8"``: dynamic int8 quantization of a voice folder's acoustic
    model (CPU)."""
    if backend not in (None, "torch", *BACKENDS):
        raise ValueError(f"unknown backend {backend!r} (torch, {', '.join(BACKENDS)})")
    device = torch.device(device)
    voice = resolve_voice(voice)
    if is_export(voice):
        exported = read_manifest(Path(voice))["backend"]
        if backend not in (None, exported):
            raise VoiceError(f"{voice} is an export for the {exported} backend, not {backend}")
        if device.type != "cpu":
            raise ValueError(f"exported models run on the CPU; --device {device} is for the torch backend")
        if quantize:
            raise ValueError("an export is quantized when it is made: tts-export --quantize int8")
        return load_export(voice), exported
    if backend in BACKENDS:
        raise VoiceError(
            f"{voice} is a voice folder, not an export for the {backend} backend; make one "
            f"with tts-export --model {voice} --format {backend} --out DIR"
        )
    loaded = load_voice(voice, device)
    if quantize:
        from synthesis.deploy.compress import QUANTIZE, quantize_int8

        if quantize not in QUANTIZE:
            raise ValueError(f"unsupported quantization {quantize!r}; supported: {', '.join(QUANTIZE)}")
        if device.type != "cpu":
            raise ValueError("int8 dynamic quantization runs on the CPU only")
        loaded.acoustic = quantize_int8(loaded.acoustic)
    return loaded, "torch"
