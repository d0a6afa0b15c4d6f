"""Run an exported voice (``tts-export``) through the same synthesis pipeline.

An export folder holds ``export.json`` (what was exported, input/output names, SHA-256 of
every graph file, the model settings the decoder loop needs), the voice's ``card.json``
and ``symbols.json``, and one file per graph (``*.onnx`` or TorchScript ``*.pt``).
``load_export`` checks it and returns a ``synthesis.voice.Voice`` whose acoustic model and vocoder
are graph runners with the PyTorch models' ``infer`` methods, so ``Synthesizer`` works
unchanged. The decoder loop is ``tts.models.tacotron2.free_run``, shared with PyTorch.

TorchScript files are programs for PyTorch's interpreter: load only exports you trust
(the SHA-256 check catches a damaged or swapped file, not a forged manifest).
ONNX files hold no code.
"""

from __future__ import annotations

from pathlib import Path

import torch

from core.features import FeatureConfig
from core.files import first_line
from core.layers import length_mask
from synthesis.cards import (  # noqa: F401 (names this module gave)
    BACKENDS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    VoiceError,
    check_export,
    check_symbols,
    is_export,
    read_card,
    read_manifest,
    sha256,
)
from synthesis.voice import Voice
from tts.models.tacotron2 import AcousticOutput, DecoderState, Tacotron2Config, free_run
from tts.models.variance import semitones_to_pitch_shift
from vocoder.waveglow import WaveGlowConfig


class Graph:
    """One exported graph: ``graph(**inputs)`` with torch tensors → list of output tensors."""

    def __init__(
        self,
        path: Path,
        backend: str,
        inputs: list[str],
        threads: int | None = None,
        method: str = "forward",
        module: torch.jit.ScriptModule | None = None,
    ):
        self.inputs, self.backend = inputs, backend
        if backend == "onnx":
            import onnxruntime as ort

            options = ort.SessionOptions()
            if threads:
                options.intra_op_num_threads = threads
            options.log_severity_level = 3
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            self.onnx_inputs = {i.name for i in self.session.get_inputs()}  # the exporter drops unused ones
        else:  # TorchScript: a method of a module (several graphs share one file)
            module = module if module is not None else torch.jit.load(str(path), map_location="cpu").eval()
            self.function = getattr(module, method)

    def __call__(self, **named: torch.Tensor) -> list[torch.Tensor]:
        if self.backend == "onnx":
            feeds = {k: v.detach().cpu().numpy() for k, v in named.items() if k in self.onnx_inputs}
            return [torch.from_numpy(o) for o in self.session.run(None, feeds)]
        with torch.no_grad():
            out = self.function(*(named[k] for k in self.inputs if k in named))
        return list(out) if isinstance(out, (tuple, list)) else [out]


def decoder_step(graph: Graph, frame, masks, enc: dict, state) -> list[torch.Tensor]:
    """One step of an exported Tacotron2 decoder: previous frame (B, n_mels), prenet masks,
    the encoder's outputs and the ``DecoderState`` tensors in order → frames, gate and the
    new state, whatever names the export gave the state (older exports: ah, ac, ...)."""
    names = graph.inputs[-len(state) :]
    memory = {k: enc[k] for k in ("memory", "processed", "mask")}
    return graph(frame=frame, mask1=masks[0], mask2=masks[1], **memory, **dict(zip(names, state)))


class ExportedAcoustic:
    """Tacotron2 synthesis from the encoder, decoder-step and postnet graphs (``infer`` as
    ``Tacotron2.infer``)."""

    def __init__(
        self,
        graphs: dict[str, Graph],
        outputs: dict[str, list[str]],
        config: Tacotron2Config,
        log_f0_std: float,
    ):
        self.graphs, self.outputs, self.config, self.log_f0_std = graphs, outputs, config, log_f0_std

    @torch.no_grad()
    def infer(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor | None = None,
        speakers: torch.Tensor | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        max_steps: int | None = None,
    ) -> AcousticOutput:
        c = self.config
        b, n = symbols.shape
        if symbol_lengths is None:
            symbol_lengths = torch.full((b,), n)
        if c.n_speakers > 1 and speakers is None:
            raise ValueError("this model has several speakers: pass speaker ids")
        shift = semitones_to_pitch_shift(pitch_shift, self.log_f0_std) if pitch_shift else 0.0
        feeds = {
            "symbols": symbols.long(),
            "lengths": symbol_lengths.long(),
            "pitch_shift": torch.tensor(float(shift)),
            "energy_scale": torch.tensor(float(energy_scale)),
        }
        if speakers is not None and c.n_speakers > 1:
            feeds["speakers"] = speakers.long()
        enc = dict.fromkeys(("pitch", "energy", "pitch_pred", "energy_pred"))
        enc.update(zip(self.outputs["encoder"], self.graphs["encoder"](**feeds)))
        enc["mask"] = length_mask(symbol_lengths, n)
        state = list(DecoderState.zeros(c, b, n).tensors())

        def step(frame, masks):
            frames, gate, *new = decoder_step(self.graphs["decoder_step"], frame, masks, enc, state)
            state[:] = new
            return frames, gate, DecoderState(*state).weights

        postprocess = lambda mel, lengths: tuple(self.graphs["postnet"](mel=mel, lengths=lengths))
        return free_run(step, postprocess, enc, symbol_lengths, c, max_steps)


class ExportedDurationAcoustic:
    """Duration-informed synthesis from the ``text`` and ``frames`` graphs (``infer`` as
    ``DurationTacotron2.infer``, through the same ``synthesize``)."""

    def __init__(self, graphs: dict[str, Graph], config: Tacotron2Config, log_f0_std: float):
        self.graphs, self.config, self.log_f0_std = graphs, config, log_f0_std

    @torch.no_grad()
    def infer(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor | None = None,
        speakers: torch.Tensor | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        max_steps: int | None = None,
        pace: float = 1.0,
    ) -> AcousticOutput:
        from tts.models.duration_tacotron import synthesize

        if symbol_lengths is None:
            symbol_lengths = torch.full((symbols.shape[0],), symbols.shape[1])
        if self.config.n_speakers > 1 and speakers is None:
            raise ValueError("this model has several speakers: pass speaker ids")

        def text(symbols, lengths, speakers):
            feeds = {"symbols": symbols.long(), "lengths": lengths.long()}
            if speakers is not None and self.config.n_speakers > 1:
                feeds["speakers"] = speakers.long()
            return self.graphs["text"](**feeds)

        def frames(memory, durations, shift, scale):
            return self.graphs["frames"](
                memory=memory, durations=durations.long(), pitch_shift=shift, energy_scale=scale
            )

        return synthesize(
            text, frames, symbols, symbol_lengths, speakers, pitch_shift, energy_scale, pace, self.log_f0_std
        )


class ExportedVocoder:
    """WaveGlow from its graph (``infer`` as ``WaveGlow.infer``; usable by the Denoiser)."""

    def __init__(self, graph: Graph, config: WaveGlowConfig, silence_level: float):
        self.graph, self.config = graph, config
        self.silence_level = torch.tensor(silence_level)

    @torch.no_grad()
    def infer(self, mel: torch.Tensor, sigma: float = 0.6) -> torch.Tensor:
        c = self.config
        z = torch.randn(mel.shape[0], c.n_group, mel.shape[2] * c.hop_length // c.n_group) * sigma
        return self.graph(mel=mel.float(), z=z)[0]


def load_export(path: str | Path, threads: int | None = None) -> Voice:
    """Check an export folder (manifest, symbol table, file hashes) and open its graphs."""
    path = Path(path)
    manifest = check_export(path)
    card = manifest["card"]
    backend = manifest["backend"]
    graphs, outputs, modules = {}, {}, {}
    for name, g in manifest["graphs"].items():
        file = path / g["file"]
        try:
            if backend == "torchscript" and file not in modules:
                modules[file] = torch.jit.load(str(file), map_location="cpu").eval()
            graphs[name] = Graph(
                file, backend, g["inputs"], threads, g.get("method", "forward"), modules.get(file)
            )
        except Exception as err:  # onnxruntime / TorchScript refuse a broken file with their own errors
            raise VoiceError(f"{file}: cannot be loaded ({first_line(err, 160)})") from None
        outputs[name] = g["outputs"]
    config = Tacotron2Config.saved(manifest["acoustic_config"])
    if config.decoder == "attention":
        acoustic = ExportedAcoustic(graphs, outputs, config, manifest["log_f0_std"])
    else:
        acoustic = ExportedDurationAcoustic(graphs, config, manifest["log_f0_std"])
    vocoder = None
    if "vocoder" in graphs:
        vocoder = ExportedVocoder(
            graphs["vocoder"], WaveGlowConfig(**manifest["vocoder_config"]), manifest["silence_level"]
        )
    return Voice(
        acoustic, vocoder, FeatureConfig(**manifest["features"]), list(manifest["speakers"]), card, path
    )
