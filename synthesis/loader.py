"""The one way to open a voice for synthesis: a voice folder or an export, on any backend."""

from __future__ import annotations

from pathlib import Path

import torch

from synthesis.catalogue import choose_runtime
from synthesis.deploy.runtime import load_export
from synthesis.voice import Voice, load_voice


def open_voice(
    voice: str | Path | None,
    backend: str | None = None,
    device: str | torch.device = "cpu",
    quantize: str | None = None,
) -> tuple[Voice, str]:
    """A voice folder, an export or a shipped voice's name (None: the shipped voice), checked
    → (voice, the backend it runs on) on PyTorch, as ``choose_runtime`` decides. ``backend``:
    None (what the folder is), "torch" (a voice folder), "torchscript" or "onnx" (an export,
    CPU only). ``quantize="int8"``: dynamic int8 quantization of a voice folder's acoustic
    model (CPU)."""
    path, runtime = choose_runtime(voice, backend, str(torch.device(device)), quantize)
    if runtime != "torch":  # an export: its graphs through the PyTorch pipeline
        return load_export(path), "onnx" if runtime == "onnxruntime" else runtime
    device = torch.device(device)
    loaded = load_voice(path, device)
    if quantize:
        from synthesis.deploy.compress import QUANTIZE, quantize_int8

        if quantize not in QUANTIZE:
            raise ValueError(f"unsupported quantization {quantize!r}; supported: {', '.join(QUANTIZE)}")
        if device.type != "cpu":
            raise ValueError("int8 dynamic quantization runs on the CPU only")
        loaded.acoustic = quantize_int8(loaded.acoustic)
    return loaded, "torch"
