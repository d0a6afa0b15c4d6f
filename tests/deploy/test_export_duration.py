"""tts-export of a duration-informed voice (parallel decoder): two graphs per backend, the
same mels as PyTorch on new sentences of other lengths and batch sizes (the duration
rounding is shared Python), synthesis through Synthesizer, and the autoregressive decoder
refused with one line."""

import pytest
import torch

from synthesis.deploy.export import TOLERANCE, ExportError, export_voice
from synthesis.deploy.runtime import load_export
from synthesis.pipeline import Synthesizer
from synthesis.voice import build_voice, load_voice

from ..helpers import TINY_PARALLEL, run_config, train_tiny
from .test_export import batch

TINY = TINY_PARALLEL  # both pitch options export: the level head and the pitch-bin vectors


@pytest.fixture(scope="module")
def voice(four_utterances, tmp_path_factory):
    root = tmp_path_factory.mktemp("duration_deploy")
    cfg = run_config(four_utterances, 20)
    cfg["model"] = TINY  # two voices: a speakers input
    cfg["loss"] = {"guided_attention": 0.0}
    build_voice(train_tiny(cfg, root / "acoustic"), root / "voice", name="tiny-parallel")
    return root / "voice"


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_exported_duration_voice_matches_pytorch(voice, tmp_path, fmt):
    manifest = export_voice(voice, tmp_path / fmt, fmt, log=lambda _: None)
    assert set(manifest["graphs"]) == {"text", "frames"}
    assert all(d <= TOLERANCE for d in manifest["parity"]["max_abs_difference"].values())
    torch_voice, exported = load_voice(voice), load_export(tmp_path / fmt)
    for texts in (
        ["今天天气很好。", "我们去公园散步吧？", "你好。"],
        ["这是一个比较长的句子，用来检查动态长度。"],
    ):
        symbols, lengths = batch(texts)
        speakers = torch.tensor([1] * len(texts))
        a = torch_voice.acoustic.infer(symbols, lengths, speakers, pitch_shift=2.0)
        b = exported.acoustic.infer(symbols, lengths, speakers, pitch_shift=2.0)
        assert a.lengths.tolist() == b.lengths.tolist()
        assert float((a.mel_post - b.mel_post).abs().max()) < 1e-3
    audio = Synthesizer(tmp_path / fmt)("你好。", speaker="spk3")
    assert len(audio) > 1000 and abs(audio).max() > 0


def test_autoregressive_decoder_is_refused_in_one_line(four_utterances, tmp_path):
    cfg = run_config(four_utterances, 1)
    cfg["model"] = {**TINY, "decoder": "autoregressive", "prenet_dim": 16, "decoder_rnn_dim": 16}
    cfg["loss"] = {"guided_attention": 0.0}
    build_voice(train_tiny(cfg, tmp_path / "acoustic"), tmp_path / "voice")
    with pytest.raises(ExportError, match="autoregressive"):
        export_voice(tmp_path / "voice", tmp_path / "out", "onnx", log=lambda _: None)
    assert not (tmp_path / "out").exists()
