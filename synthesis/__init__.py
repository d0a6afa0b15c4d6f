"""Text → waveform with a trained voice.

    sentences.py  the sentence loop, controls and result types every synthesizer shares (no torch)
    cards.py      voice and export folders' JSON cards, checked (no torch)
    voice.py      voice folders: build and load (PyTorch)
    loader.py     ``open_voice``: a voice folder or an export, on any backend
    pipeline.py   ``Synthesizer``: frontend → acoustic model → vocoder on PyTorch
    deploy/       exports (TorchScript, ONNX), their PyTorch runner, and ``onnx_runtime``:
                  ``OnnxSynthesizer`` on onnxruntime and numpy alone

``open_synthesizer`` picks the synthesizer for a voice (an ONNX export runs without torch).
"""


def open_synthesizer(
    voice=None,
    vocoder: str = "auto",
    device: str = "cpu",
    sigma: float = 0.6,
    user_dict=None,
    backend: str | None = None,
    quantize: str | None = None,
    threads: int | None = None,
):
    """The synthesizer for a voice: an ONNX export whose model runs without torch, on the CPU,
    runs on onnxruntime and numpy alone (``synthesis.deploy.onnx_runtime.OnnxSynthesizer``,
    torch is not imported); anything else on PyTorch (``synthesis.pipeline.Synthesizer``).
    Both have the same ``synthesize`` / ``sentences`` / ``__call__``. ``voice`` None: the
    shipped voice, through its ONNX export when install.sh made one that is current; a
    shipped voice can be named (``"espeak-ng"``)."""
    from pathlib import Path

    from synthesis.cards import is_export, read_manifest
    from synthesis.catalogue import DEFAULT_EXPORT, DEFAULT_VOICE, resolve_voice
    from tts.models.migrate import export_is_torch_free

    cpu = str(device) == "cpu" and not quantize
    voice = None if voice is None else resolve_voice(voice)
    if (
        voice is None
        and cpu
        and backend in (None, "onnx")
        and export_is_current(DEFAULT_EXPORT, DEFAULT_VOICE)
    ):
        voice = DEFAULT_EXPORT

    if voice is not None and is_export(voice) and cpu:
        manifest = read_manifest(Path(voice))
        if manifest.get("backend") == "onnx" and export_is_torch_free(manifest) and backend in (None, "onnx"):
            from synthesis.deploy.onnx_runtime import OnnxSynthesizer

            return OnnxSynthesizer(voice, vocoder, sigma, user_dict=user_dict, threads=threads)
    from synthesis.pipeline import Synthesizer

    return Synthesizer(voice, vocoder, device, sigma, user_dict=user_dict, backend=backend, quantize=quantize)


def export_is_current(export, voice) -> bool:
    """Whether ``export`` is an export of the weights now in the voice folder ``voice``."""
    from pathlib import Path

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
