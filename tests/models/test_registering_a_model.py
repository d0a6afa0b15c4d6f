"""Adding an acoustic model is one class in ``tts/models`` (here, in the test) and one
``register`` call: nothing in ``synthesis/`` knows it. A tiny registered model synthesizes
through ``Synthesizer``, exports to ONNX and TorchScript through ``tts-export``'s code, runs
from its exports, and from its ONNX export on the torch-free runtime."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from torch import nn

from core.layers import length_mask
from frontend import DEFAULT_TABLE
from synthesis import open_synthesizer
from synthesis.deploy.export import export_voice
from synthesis.deploy.onnx_runtime import OnnxSynthesizer
from synthesis.loader import open_voice
from synthesis.pipeline import Synthesizer
from tts.models import register
from tts.models.base import AcousticConfig
from tts.models.duration_tacotron import regulate_length
from tts.models.durational import DurationalModel
from tts.models.registry import MODELS

from ..helpers import write_voice


@dataclass
class EchoConfig(AcousticConfig):
    kind: str = "echo"
    frames_per_symbol: int = 3


class EchoModel(DurationalModel):
    """Each symbol's learned log-mel vector, held for ``frames_per_symbol`` frames."""

    config_class = EchoConfig

    def __init__(self, config: EchoConfig):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.n_symbols, config.n_mels)
        self.register_stats(config.n_mels)

    def encode_text(self, symbols, symbol_lengths, speakers=None):
        mask = length_mask(symbol_lengths, symbols.shape[1]).to(torch.float32)
        return self.embedding(symbols), mask * math.log1p(self.config.frames_per_symbol)

    def frames(self, memory, durations, pitch_shift, energy_scale):
        r = regulate_length(memory, durations)
        mask = r["mask"][:, None, :].to(memory.dtype)
        mel = (r["upsampled"].transpose(1, 2) - 5.0) * mask
        flat = mask[:, 0]
        return mel, mel, r["lengths"], r["index"], flat * pitch_shift, flat * energy_scale, flat, flat


@pytest.fixture
def echo_voice(tmp_path):
    register("echo", EchoModel)
    torch.manual_seed(0)
    model = EchoModel(EchoConfig(n_symbols=len(DEFAULT_TABLE), n_mels=80)).eval()
    yield model, write_voice(model, tmp_path / "voice")
    MODELS.pop("echo")


def test_a_registered_model_synthesizes_and_exports_through_the_same_path(echo_voice, tmp_path):
    model, voice = echo_voice
    tts = Synthesizer(voice, vocoder="griffin-lim")
    assert type(tts.voice.acoustic) is EchoModel and tts.has_pace
    result = tts.synthesize("你好。")
    sentence = result.sentences[0]
    assert (sentence.durations == 3).all()
    hop = tts.voice.features.hop_length
    assert len(result.audio) == 3 * len(sentence.durations) * hop
    slow = tts.synthesize("你好。", pace=0.5)
    assert (slow.sentences[0].durations == 6).all() and len(slow.audio) == 2 * len(result.audio)

    symbols = torch.tensor([DEFAULT_TABLE.encode(["n", "i3", "h", "ao3", "#4"])])
    expected = model.infer(symbols).mel_post
    for fmt in ("onnx", "torchscript"):
        manifest = export_voice(voice, tmp_path / fmt, fmt, log=lambda _: None)
        assert set(manifest["graphs"]) == {"text", "frames"}
        assert manifest["torch_free"] is (fmt == "onnx")
        exported, backend = open_voice(tmp_path / fmt)
        assert backend == fmt
        torch.testing.assert_close(exported.acoustic.infer(symbols).mel_post, expected)

    onnx = open_synthesizer(tmp_path / "onnx", vocoder="griffin-lim")
    assert isinstance(onnx, OnnxSynthesizer)
    out = onnx.infer(symbols.numpy(), np.array([symbols.shape[1]]))
    np.testing.assert_allclose(out["log_mel_post"], expected.numpy(), atol=1e-5)
    assert len(onnx("你好。")) == len(result.audio)
