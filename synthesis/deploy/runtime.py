"""Run an exported voice (``tts-export``) through the same synthesis pipeline.

An export folder holds ``export.json`` (what was exported, input/output names, SHA-256 of
every graph file, the model's config), the voice's ``card.json`` and ``symbols.json``, and
one file per graph (``*.onnx``, or TorchScript ``*.pt`` holding several graphs as methods).
``load_export`` checks it and returns a ``synthesis.voice.Voice`` whose acoustic model is
the model class's own runner over the graphs (``AcousticModel.exported``: the same
inference code as PyTorch), so ``Synthesizer`` works unchanged.

TorchScript files are programs for PyTorch's interpreter: load only exports you trust
(the SHA-256 check catches a damaged or swapped file, not a forged manifest).
ONNX files hold no code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core.features import FeatureConfig
from core.files import first_line
from core.graph_spec import TorchGraph
from core.onnx_graph import GraphLoadError, OnnxGraph
from synthesis.cards import VoiceError, check_export
from synthesis.voice import Voice
from tts.models.migrate import saved_config
from tts.models.registry import model_class
from vocoder.waveglow import WaveGlowConfig


def open_graph(path: Path, backend: str, spec: dict, module=None, threads: int | None = None):
    """One graph of an export: ``graph(**arrays) → {output: array}`` on its backend."""
    if backend == "onnx":
        return OnnxGraph(path, threads)
    module = module if module is not None else torch.jit.load(str(path), map_location="cpu").eval()
    return TorchGraph(getattr(module, spec.get("method", "forward")), spec["inputs"], spec["outputs"])


class ExportedVocoder:
    """WaveGlow from its graph (``infer`` as ``WaveGlow.infer``; usable by the Denoiser)."""

    def __init__(self, graph, config: WaveGlowConfig, silence_level: float):
        self.graph, self.config = graph, config
        self.silence_level = torch.tensor(silence_level)

    @torch.no_grad()
    def infer(self, mel: torch.Tensor, sigma: float = 0.6) -> torch.Tensor:
        c = self.config
        z = torch.randn(mel.shape[0], c.n_group, mel.shape[2] * c.hop_length // c.n_group) * sigma
        return torch.from_numpy(np.asarray(self.graph(mel=mel.float().numpy(), z=z.numpy())["audio"]))


def load_export(path: str | Path, threads: int | None = None) -> Voice:
    """Check an export folder (manifest, symbol table, file hashes) and open its graphs."""
    path = Path(path)
    manifest = check_export(path)
    backend = manifest["backend"]
    graphs, modules = {}, {}
    for name, g in manifest["graphs"].items():
        file = path / g["file"]
        try:
            if backend == "torchscript" and file not in modules:
                modules[file] = torch.jit.load(str(file), map_location="cpu").eval()
            graphs[name] = open_graph(file, backend, g, modules.get(file), threads)
        except GraphLoadError as err:
            raise VoiceError(str(err)) from None
        except Exception as err:  # TorchScript refuses a broken file with its own errors
            raise VoiceError(f"{file}: cannot be loaded ({first_line(err, 160)})") from None
    config = saved_config(manifest["acoustic_config"])
    acoustic = model_class(config.kind).exported(graphs, config, manifest["log_f0_std"])
    vocoder = None
    if "vocoder" in graphs:
        vocoder = ExportedVocoder(
            graphs["vocoder"], WaveGlowConfig(**manifest["vocoder_config"]), manifest["silence_level"]
        )
    return Voice(
        acoustic,
        vocoder,
        FeatureConfig(**manifest["features"]),
        list(manifest["speakers"]),
        manifest["card"],
        path,
    )
