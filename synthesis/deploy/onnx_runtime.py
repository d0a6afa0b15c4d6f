"""Synthesis from an ONNX export with onnxruntime and numpy only: no ``import torch``.

    from synthesis.deploy.onnx_runtime import OnnxSynthesizer
    tts = OnnxSynthesizer("voices/mine-onnx")      # made by tts-export --format onnx
    audio = tts("你好。")                           # as synthesis.pipeline.Synthesizer

The same sentence loop as the PyTorch pipeline (``synthesis.sentences``), and per batch the
same inference steps as PyTorch (``tts.models.duration_steps.run``: the ``text`` graph,
durations rounded, the ``frames`` graph), then Griffin-Lim in numpy
(``vocoder.griffin_lim_numpy``) or the export's WaveGlow graph with the denoiser in numpy.
Exports whose model says ``torch_free`` only (the manifest records it); the others run
through ``synthesis.deploy.runtime``. Output matches the PyTorch path within the export's
tolerances (tests/deploy/test_onnx_runtime.py, which also checks that torch is never imported).
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from core.onnx_graph import GraphLoadError, OnnxGraph
from frontend import Frontend
from synthesis.cards import VoiceError, check_export
from synthesis.sentences import (
    FIRST_CHUNK_CHARS,
    BatchItem,
    SentenceSynthesizer,
    check_controls,
    padded_batch,
)
from tts.models import duration_steps
from tts.models.migrate import export_is_torch_free
from vocoder.griffin_lim_numpy import NumpyGriffinLim, hann_window, istft, stft

# as vocoder.denoiser.Denoiser's defaults: silence frames whose WaveGlow output is the bias, its STFT
DENOISER_FRAMES, DENOISER_FFT, DENOISER_HOP = 88, 1024, 256


def _graph(path: Path, threads: int | None) -> OnnxGraph:
    try:
        return OnnxGraph(path, threads)
    except GraphLoadError as err:
        raise VoiceError(str(err)) from None


class OnnxWaveGlow:
    """The export's WaveGlow graph as a vocoder: z drawn at ``sigma``, then the bias
    spectrum (its output for silence) removed at ``denoise`` strength, as
    ``vocoder.waveglow.WaveGlowVocoder``."""

    def __init__(
        self, graph: OnnxGraph, config: dict, silence_level: float, sample_rate: int, sigma, denoise
    ):
        self.graph, self.config, self.sample_rate = graph, config, sample_rate
        self.sigma, self.denoise = sigma, denoise
        self.window = hann_window(DENOISER_FFT)
        self.bias = None
        if denoise > 0:
            silence = np.full((1, config["n_mels"], DENOISER_FRAMES), silence_level, dtype=np.float32)
            bias_audio = self._infer(silence, 0.0)[0]
            self.bias = np.abs(stft(bias_audio, DENOISER_FFT, DENOISER_HOP, self.window))[:, :1]  # (bins, 1)

    def _infer(self, mel: np.ndarray, sigma: float) -> np.ndarray:
        c = self.config
        steps = mel.shape[2] * c["hop_length"] // c["n_group"]
        z = (np.random.default_rng().standard_normal((mel.shape[0], c["n_group"], steps)) * sigma).astype(
            np.float32
        )
        return self.graph(mel=mel.astype(np.float32), z=z)["audio"]

    def __call__(self, mel: np.ndarray) -> np.ndarray:
        """(n_mels, T) log-mel → (T · hop,) float32 samples."""
        audio = self._infer(mel[None], self.sigma)[0]
        if self.bias is None:
            return audio
        spec = stft(audio, DENOISER_FFT, DENOISER_HOP, self.window)
        magnitude = np.maximum(np.abs(spec) - self.bias * self.denoise, 0.0)
        phase = np.exp(1j * np.angle(spec))
        clean = istft(magnitude * phase, DENOISER_FFT, DENOISER_HOP, self.window, len(audio))
        return np.clip(clean, -1.0, 1.0).astype(np.float32)


class OnnxSynthesizer(SentenceSynthesizer):
    """A duration-informed ONNX export ready to speak, without torch. ``vocoder``: "auto"
    (the export's WaveGlow if it has one, else Griffin-Lim), "waveglow" or "griffin-lim";
    ``threads``: onnxruntime's intra-op threads per graph (None: its default).
    ``warnings`` holds what loading had to say."""

    backend = "onnxruntime"

    def __init__(
        self,
        voice: str | Path,
        vocoder: str = "auto",
        sigma: float = 0.6,
        denoise: float = 0.01,
        batch_size: int = 8,
        user_dict=None,
        threads: int | None = None,
    ):
        check_controls(sigma=sigma)
        path = Path(voice)
        manifest = check_export(path)
        if manifest["backend"] != "onnx":
            raise VoiceError(f"{path} is a {manifest['backend']} export; the torch-free runtime runs ONNX")
        self.config = manifest["acoustic_config"]
        if not export_is_torch_free(manifest):
            raise VoiceError(
                f"{path}: this model's inference runs in PyTorch; "
                "use synthesis.pipeline.Synthesizer (tts-synthesize picks it)"
            )
        self.path, self.manifest, self.card = path, manifest, manifest["card"]
        self.features = SimpleNamespace(**manifest["features"])
        self.sample_rate = self.features.sample_rate
        self.speakers, self.n_speakers = list(manifest["speakers"]), self.config["n_speakers"]
        self.log_f0_std = manifest["log_f0_std"]
        self.batch_size, self.warnings = batch_size, []
        graphs = manifest["graphs"]
        self.text, self.frames = (_graph(path / graphs[g]["file"], threads) for g in ("text", "frames"))
        self.frontend = Frontend(user_dict=user_dict, first_sentence_chars=FIRST_CHUNK_CHARS)
        self.sigma, self.denoise, self.threads = sigma, denoise, threads
        self.has_waveglow = "vocoder" in graphs
        self._set_vocoder(vocoder, path)

    def _make_vocoder(self, name: str):
        if name == "waveglow":
            m = self.manifest
            graph = _graph(self.path / m["graphs"]["vocoder"]["file"], self.threads)
            return OnnxWaveGlow(
                graph, m["vocoder_config"], m["silence_level"], self.sample_rate, self.sigma, self.denoise
            )
        return NumpyGriffinLim(self.features)

    def infer(
        self,
        symbols: np.ndarray,
        lengths: np.ndarray,
        speakers: np.ndarray | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        pace: float = 1.0,
    ) -> dict[str, np.ndarray]:
        """(B, N) int64 symbol ids, (B,) lengths → ``frames`` graph outputs (log_mel_post
        (B, n_mels, T), lengths (B,), index (B, T), ...) and ``durations`` (B, N)."""
        if self.n_speakers > 1 and speakers is None:
            raise ValueError("this model has several speakers: pass speaker ids")
        speakers = speakers if self.n_speakers > 1 else None
        return duration_steps.run(
            self.text,
            self.frames,
            symbols,
            lengths,
            speakers,
            pitch_shift,
            energy_scale,
            pace,
            self.log_f0_std,
        )

    def _synthesize(self, ids, speaker, pitch_shift, energy_scale, pace) -> list[BatchItem]:
        symbols, lengths = padded_batch(ids)
        speakers = None if speaker is None else np.full(len(ids), speaker, dtype=np.int64)
        t0 = time.perf_counter()
        out = self.infer(symbols, lengths, speakers, pitch_shift, energy_scale, pace)
        acoustic_share = (time.perf_counter() - t0) / len(ids)
        items = []
        for i, n in enumerate(lengths):
            frames = int(out["lengths"][i])
            t1 = time.perf_counter()
            audio = self.vocoder(out["log_mel_post"][i, :, :frames])
            alignment = np.eye(symbols.shape[1], dtype=np.float32)[out["index"][i, :frames]][:, :n]
            durations = out["durations"][i, :n]
            items.append(BatchItem(audio, alignment, durations, [], acoustic_share, time.perf_counter() - t1))
        return items
