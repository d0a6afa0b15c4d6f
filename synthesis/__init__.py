"""Text → waveform with a trained voice.

    sentences.py  the sentence loop, controls and result types every synthesizer shares (no torch)
    cards.py      voice and export folders' JSON cards, checked (no torch)
    voice.py      voice folders: build and load (PyTorch)
    catalogue.py  the shipped voices, and ``choose_runtime``: what a voice runs on (no torch)
    loader.py     ``open_voice``: a voice folder or an export, on PyTorch
    pipeline.py   ``Synthesizer``: frontend → acoustic model → vocoder on PyTorch
    deploy/       exports (TorchScript, ONNX), their PyTorch runner, and ``onnx_runtime``:
                  ``OnnxSynthesizer`` on onnxruntime and numpy alone

``open_synthesizer`` picks the synthesizer for a voice (an ONNX export runs without torch).
"""

from synthesis.catalogue import export_is_current  # noqa: F401 (part of the package's API)


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
    """The synthesizer for a voice, on the runtime ``synthesis.catalogue.choose_runtime``
    picks: an ONNX export whose model runs without torch, on the CPU, runs on onnxruntime and
    numpy alone (``synthesis.deploy.onnx_runtime.OnnxSynthesizer``, torch is not imported);
    anything else on PyTorch (``synthesis.pipeline.Synthesizer``). Both have the same
    ``synthesize`` / ``sentences`` / ``__call__``. ``voice`` None: the shipped voice, through
    its ONNX export when install.sh made one that is current; a shipped voice can be named
    (``"espeak-ng"``)."""
    from synthesis.catalogue import choose_runtime

    path, runtime = choose_runtime(voice, backend, device, quantize)
    if runtime == "onnxruntime":
        from synthesis.deploy.onnx_runtime import OnnxSynthesizer

        return OnnxSynthesizer(path, vocoder, sigma, user_dict=user_dict, threads=threads)
    from synthesis.pipeline import Synthesizer

    return Synthesizer(path, vocoder, device, sigma, user_dict=user_dict, backend=backend, quantize=quantize)
