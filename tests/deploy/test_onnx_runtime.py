"""The torch-free runtime (``synthesis.deploy.onnx_runtime``): an ONNX export of a
duration-informed voice synthesizes with onnxruntime and numpy alone, with the PyTorch
path's durations and mels, its Griffin-Lim and WaveGlow output, and without torch ever
being imported (checked in a fresh process through tts-synthesize)."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from synthesis import open_synthesizer
from synthesis.cards import VoiceError
from synthesis.deploy.onnx_runtime import OnnxSynthesizer
from synthesis.pipeline import Synthesizer
from synthesis.sentences import padded_batch

from ..helpers import tiny_parallel_voice

TEXTS = ["今天天气很好。", "我们去公园散步吧？", "你好。"]


@pytest.fixture(scope="module")
def export(four_utterances, tmp_path_factory):
    return tiny_parallel_voice(four_utterances, tmp_path_factory.mktemp("onnx_runtime"))


def snr_db(reference: np.ndarray, other: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(reference**2) / max(np.sum((reference - other) ** 2), 1e-20)))


def test_durations_and_mels_match_pytorch(export):
    voice, onnx = export
    torch_tts, onnx_tts = Synthesizer(voice), OnnxSynthesizer(onnx)
    fe = onnx_tts.frontend
    symbols, lengths = padded_batch([fe.encode(fe(t)[0]) for t in TEXTS])
    for shift, scale in ((0.0, 1.0), (3.0, 1.5)):
        got = onnx_tts.infer(symbols, lengths, np.array([1, 1, 1]), shift, scale)
        want = torch_tts.voice.acoustic.infer(
            torch.from_numpy(symbols), torch.from_numpy(lengths), torch.tensor([1, 1, 1]), shift, scale
        )
        assert got["durations"].tolist() == want.extra["durations"].tolist()
        assert got["lengths"].tolist() == want.lengths.tolist()
        assert np.abs(got["log_mel_post"] - want.mel_post.numpy()).max() < 1e-3


def test_vocoders_match_pytorch_on_the_same_mel(export):
    voice, onnx = export
    mel = OnnxSynthesizer(onnx).infer(*padded_batch([[5, 9, 14, 3, 22, 7, 2]]), np.array([0]))[
        "log_mel_post"
    ][0]
    # Griffin-Lim: the same algorithm (tests/vocoder/test_griffin_lim_numpy.py); here the
    # settings each synthesizer gives it
    gl_torch = Synthesizer(voice, vocoder="griffin-lim").vocoder
    gl_numpy = OnnxSynthesizer(onnx, vocoder="griffin-lim").vocoder
    gl_torch.n_iter = gl_numpy.n_iter = 2
    assert snr_db(gl_torch(torch.from_numpy(mel)).numpy(), gl_numpy(mel)) > 60
    # WaveGlow at sigma 0 (no draw) with the denoiser: the graph and the numpy denoiser
    wg_torch = Synthesizer(voice, vocoder="waveglow", sigma=0.0).vocoder(torch.from_numpy(mel)).numpy()
    wg_onnx = OnnxSynthesizer(onnx, vocoder="waveglow", sigma=0.0).vocoder(mel)
    assert wg_onnx.shape == wg_torch.shape and np.abs(wg_onnx - wg_torch).max() < 1e-3


def test_synthesizes_text_as_the_pipeline_does(export):
    voice, onnx = export
    result = OnnxSynthesizer(onnx, vocoder="griffin-lim").synthesize(
        "今天天气很好。我们去公园散步吧！", speaker="spk3"
    )
    want = Synthesizer(voice, vocoder="griffin-lim").synthesize(
        "今天天气很好。我们去公园散步吧！", speaker="spk3"
    )
    assert [s.text for s in result.sentences] == [s.text for s in want.sentences]
    assert [len(s.audio) for s in result.sentences] == [len(s.audio) for s in want.sentences]
    assert [s.durations.tolist() for s in result.sentences] == [s.durations.tolist() for s in want.sentences]
    assert result.sample_rate == 22050 and result.timings.audio_seconds > 0
    d = result.sentences[0].durations
    assert result.sentences[0].alignment.shape == (d.sum(), len(d))
    with pytest.raises(ValueError, match="unknown speaker"):
        OnnxSynthesizer(onnx).synthesize("你好。", speaker="nobody")


def test_tts_synthesize_never_imports_torch(export, tmp_path):
    out = tmp_path / "out.wav"
    code = (
        "import sys\n"
        "from cli.synthesize import main\n"
        "try:\n    main()\n"
        "finally:\n    print('torch imported:', 'torch' in sys.modules, file=sys.stderr)\n"
    )
    args = ["今天天气很好。", "-o", str(out), "--model", str(export[1]), "--speaker", "spk3", "--verbose"]
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode()
    assert b"torch imported: False" in r.stderr and b"(onnxruntime)" in r.stderr
    audio, rate = sf.read(out)
    assert rate == 22050 and len(audio) > 0.3 * rate and np.sqrt(np.mean(audio**2)) > 1e-3


def test_exports_it_cannot_run_are_refused_or_go_to_pytorch(export, tmp_path):
    voice, onnx = export
    assert isinstance(open_synthesizer(onnx), OnnxSynthesizer)
    assert isinstance(open_synthesizer(onnx, device="cpu", backend="onnx"), OnnxSynthesizer)
    assert isinstance(open_synthesizer(voice), Synthesizer)  # a voice folder: PyTorch
    manifest = json.loads((onnx / "export.json").read_text())
    attention = tmp_path / "attention"
    attention.mkdir()
    for f in onnx.iterdir():
        (attention / f.name).write_bytes(f.read_bytes())
    assert manifest["torch_free"] is True
    manifest["torch_free"] = False  # what an attention model's export records
    (attention / "export.json").write_text(json.dumps(manifest))
    with pytest.raises(VoiceError, match="inference runs in PyTorch"):
        OnnxSynthesizer(attention)
    del manifest["torch_free"]  # an export made before the key: its decoder says
    manifest["acoustic_config"]["decoder"] = "attention"
    (attention / "export.json").write_text(json.dumps(manifest))
    with pytest.raises(VoiceError, match="inference runs in PyTorch"):
        OnnxSynthesizer(attention)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for f in onnx.iterdir():
        (damaged / f.name).write_bytes(f.read_bytes())
    (damaged / "frames.onnx").write_bytes(b"not a graph")
    with pytest.raises(VoiceError, match="SHA-256"):
        OnnxSynthesizer(damaged)


def test_the_default_voice_runs_from_its_export_only_while_the_export_is_current(
    export, tmp_path, monkeypatch
):
    import shutil

    import synthesis.catalogue as catalogue
    from synthesis import export_is_current

    voice, onnx = export
    shutil.copytree(voice, tmp_path / "voice")
    shutil.copytree(onnx, tmp_path / "onnx")
    monkeypatch.setattr(catalogue, "DEFAULT_VOICE", tmp_path / "voice")
    monkeypatch.setattr(catalogue, "DEFAULT_EXPORT", tmp_path / "onnx")
    assert export_is_current(tmp_path / "onnx", tmp_path / "voice")
    assert isinstance(open_synthesizer(), OnnxSynthesizer)
    assert isinstance(open_synthesizer(backend="torch"), Synthesizer)  # asked for PyTorch
    weights = (tmp_path / "voice" / "acoustic.pt").read_bytes()
    (tmp_path / "voice" / "acoustic.pt").write_bytes(weights + b"\0")  # the voice changed since the export
    assert not export_is_current(tmp_path / "onnx", tmp_path / "voice")
    (tmp_path / "voice" / "acoustic.pt").write_bytes(weights)
    (tmp_path / "voice" / "vocoder.pt").unlink()  # a vocoder the export has and the voice no longer
    assert not export_is_current(tmp_path / "onnx", tmp_path / "voice")
