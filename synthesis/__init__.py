"""Text → waveform with a trained voice: ``voice`` loads a voice folder, ``pipeline`` runs
frontend → acoustic model → vocoder, ``deploy`` exports voices (TorchScript, ONNX) and runs
the exports."""


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
    """The synthesizer for a voice: an ONNX export of a duration-informed voice on the CPU
    runs on onnxruntime and numpy alone (``synthesis.deploy.onnx_runtime.OnnxSynthesizer``,
    torch is not imported); anything else on PyTorch (``synthesis.pipeline.Synthesizer``).
    Both have the same ``synthesize`` / ``sentences`` / ``__call__``."""
    from pathlib import Path

    from synthesis.cards import is_export, read_manifest

    if voice is not None and is_export(voice) and str(device) == "cpu" and not quantize:
        manifest = read_manifest(Path(voice))
        parallel = manifest.get("acoustic_config", {}).get("decoder") == "parallel"
        if manifest.get("backend") == "onnx" and parallel and backend in (None, "onnx"):
            from synthesis.deploy.onnx_runtime import OnnxSynthesizer

            return OnnxSynthesizer(voice, vocoder, sigma, user_dict=user_dict, threads=threads)
    from synthesis.pipeline import Synthesizer

    return Synthesizer(voice, vocoder, device, sigma, user_dict=user_dict, backend=backend, quantize=quantize)
