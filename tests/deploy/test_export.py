"""tts-export on a tiny voice trained in the test: TorchScript and ONNX round trips, numerical
parity with PyTorch (per graph, along a real decoding, and free-running), dynamic batch and
length, int8 quantization and pruning, synthesis through the exports, and bad options."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from frontend import DEFAULT_TABLE, Frontend
from synthesis.deploy.compress import PROTECTED, prune, quantize_int8, sparsity
from synthesis.deploy.export import TOLERANCE, check_options, export_voice
from synthesis.deploy.runtime import load_export
from synthesis.pipeline import Synthesizer
from synthesis.voice import VoiceError, build_voice, load_voice
from tts.models.tacotron2_export import lockstep

from ..helpers import run_config, train_tiny, vocoder_config, write_voice

TEXTS = ["今天天气很好。", "我们去公园散步吧？", "你好。"]


@pytest.fixture(scope="module")
def voice(four_utterances, tmp_path_factory):
    root = tmp_path_factory.mktemp("deploy")
    cfg = run_config(four_utterances, 30)
    cfg["model"]["n_speakers"] = 0  # one embedding per voice: a speakers input
    acoustic = train_tiny(cfg, root / "acoustic")
    vocoder = train_tiny(vocoder_config(four_utterances, 3), root / "vocoder")
    build_voice(acoustic, root / "voice", vocoder, name="tiny")
    return root / "voice"


@pytest.fixture(scope="module")
def exports(voice, tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    return {
        fmt: (export_voice(voice, root / fmt, fmt, log=lambda _: None), root / fmt)
        for fmt in ("onnx", "torchscript")
    }


def batch(texts=TEXTS):
    fe = Frontend()
    ids = [fe.encode(fe(t)[0]) for t in texts]
    symbols = torch.zeros(len(ids), max(map(len, ids)), dtype=torch.long)
    for i, x in enumerate(ids):
        symbols[i, : len(x)] = torch.tensor(x)
    return symbols, torch.tensor([len(x) for x in ids])


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_round_trip_keeps_every_graph_within_tolerance(voice, exports, fmt):
    manifest, folder = exports[fmt]
    assert set(manifest["graphs"]) == {"encoder", "decoder_step", "postnet", "vocoder"}
    assert all(d <= TOLERANCE for d in manifest["parity"]["max_abs_difference"].values())
    assert json.loads((folder / "export.json").read_text())["backend"] == fmt
    torch_voice, exported = load_voice(voice), load_export(folder)
    symbols, lengths = batch()
    # along a real decoding of three sentences of different lengths (batch and length differ from
    # the shapes the graphs were traced with): the exported graphs given PyTorch's state
    worst = lockstep(
        torch_voice.acoustic, exported.acoustic, symbols, lengths, torch.tensor([0, 1, 0]), steps=40
    )
    assert max(worst.values()) <= TOLERANCE, worst
    # the vocoder, same mel and noise
    mel = torch.randn(2, 80, 17) - 5.0
    z = torch.randn(2, 8, 17 * 256 // 8) * 0.6
    with torch.no_grad():
        expected = torch_voice.vocoder.reverse(mel, z).clamp(-1, 1)
    got = torch.from_numpy(exported.vocoder.graph(mel=mel.numpy(), z=z.numpy())["audio"])
    assert got.shape == (2, 17 * 256) and float((expected - got).abs().max()) <= TOLERANCE


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_free_running_synthesis_matches_pytorch(voice, exports, fmt):
    torch_voice, exported = load_voice(voice), load_export(exports[fmt][1])
    symbols, lengths = batch()
    speakers = torch.tensor([1, 0, 1])
    torch.manual_seed(3)  # the same prenet dropout draws for both
    a = torch_voice.acoustic.infer(
        symbols, lengths, speakers, pitch_shift=2.0, energy_scale=1.2, max_steps=12
    )
    torch.manual_seed(3)
    b = exported.acoustic.infer(symbols, lengths, speakers, pitch_shift=2.0, energy_scale=1.2, max_steps=12)
    assert torch.equal(a.lengths, b.lengths) and torch.equal(a.stopped_by_gate, b.stopped_by_gate)
    for x, y in (
        (a.mel_post, b.mel_post),
        (a.pitch, b.pitch),
        (a.energy, b.energy),
        (a.alignment, b.alignment),
    ):
        assert float((x - y).abs().max()) <= 1e-3


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_cli_synthesizes_with_an_export(exports, fmt, tmp_path):
    out = tmp_path / "out.wav"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.synthesize",
            "今天天气很好。我们去公园散步。",
            "-o",
            str(out),
            "--model",
            str(exports[fmt][1]),
            "--speaker",
            "spk3",
            "--verbose",
        ],
        capture_output=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()
    audio, rate = sf.read(out)
    assert rate == 22050 and len(audio) > 0.5 * rate and np.sqrt(np.mean(audio**2)) > 1e-3
    assert f"({fmt})".encode() in r.stderr


def test_export_cli_writes_onnx_int8_smaller_and_it_speaks(voice, tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.export",
            "--model",
            str(voice),
            "--format",
            "onnx",
            "--quantize",
            "int8",
            "--out",
            str(tmp_path / "int8"),
        ],
        capture_output=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()
    fp32 = export_voice(voice, tmp_path / "fp32", "onnx", log=lambda _: None)
    int8 = json.loads((tmp_path / "int8" / "export.json").read_text())
    assert int8["quantize"] == "int8"
    for name in ("encoder", "decoder_step"):
        assert int8["graphs"][name]["bytes"] < 0.6 * fp32["graphs"][name]["bytes"]
    audio = Synthesizer(tmp_path / "int8", vocoder="griffin-lim")("今天天气很好。", speaker=0)
    assert np.isfinite(audio).all() and np.sqrt(np.mean(audio**2)) > 1e-3


def test_quantized_model_still_synthesizes(voice):
    model = load_voice(voice).acoustic
    q = quantize_int8(model)
    kinds = {type(m).__module__ + "." + type(m).__name__ for m in q.modules()}
    assert "torch.ao.nn.quantized.dynamic.modules.rnn.LSTMCell" in kinds
    assert "torch.ao.nn.quantized.dynamic.modules.linear.Linear" in kinds
    assert isinstance(model.decoder.attention_rnn, torch.nn.LSTMCell)  # the original is untouched
    symbols, lengths = batch()
    torch.manual_seed(0)
    a = model.infer(symbols, lengths, torch.tensor([0, 1, 0]), max_steps=15)
    torch.manual_seed(0)
    b = q.infer(symbols, lengths, torch.tensor([0, 1, 0]), max_steps=15)
    diff = float((a.mel_post - b.mel_post).abs().mean())
    assert 0 < diff < 0.5 * float(a.mel_post.abs().mean())  # close, not identical
    audio = Synthesizer(voice, quantize="int8", vocoder="griffin-lim")("今天天气很好。", speaker=0)
    assert np.isfinite(audio).all() and np.sqrt(np.mean(audio**2)) > 1e-3


def test_structured_pruning_zeroes_whole_rows_and_spares_outputs(voice):
    model = load_voice(voice).acoustic
    pruned = prune(model, 0.5)
    assert sparsity(model) < 0.01 and 0.3 < sparsity(pruned) < 0.5
    modules = dict(pruned.named_modules())
    for name in ("postnet.layers.0.0", "decoder.prenet.layers.0", "encoder.convs.layers.1.0"):
        w = modules[name].weight.flatten(1)
        assert int((w.abs().sum(1) == 0).sum()) == round(0.5 * w.shape[0])
    lstm = modules["decoder.attention_rnn"].weight_hh
    assert int((lstm.abs().sum(1) == 0).sum()) == round(0.5 * lstm.shape[0])
    for name in PROTECTED:
        assert torch.equal(modules[name].weight, dict(model.named_modules())[name].weight)
    symbols, lengths = batch()
    out = pruned.infer(symbols, lengths, torch.tensor([0, 1, 0]), max_steps=10)
    assert torch.isfinite(out.mel_post).all()


@pytest.mark.parametrize(
    "fmt,quantize,prune_amount,opset,message",
    [
        ("tflite", None, None, 17, "unknown export format"),
        ("onnx", "int4", None, 17, "unsupported quantization"),
        ("onnx", None, 1.5, 17, "between 0 and 1"),
        ("onnx", None, 0.0, 17, "between 0 and 1"),
        ("onnx", None, None, 9, "opset 9 is not supported"),
    ],
)
def test_unsupported_options_are_clear_errors(fmt, quantize, prune_amount, opset, message):
    with pytest.raises(ValueError, match=message):
        check_options(fmt, quantize, prune_amount, opset)


def test_cli_errors_are_one_line(voice, exports, tmp_path):
    def run(module, *args):
        r = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, timeout=300)
        return r.returncode, r.stderr.decode()

    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    cases = [
        (
            (
                "cli.export",
                "--model",
                str(voice),
                "--format",
                "onnx",
                "--prune",
                "2",
                "--out",
                str(tmp_path / "a"),
            ),
            "between 0 and 1",
        ),
        (
            ("cli.export", "--model", str(voice), "--format", "onnx", "--out", str(tmp_path / "busy")),
            "not an earlier export",
        ),
        (
            (
                "cli.export",
                "--model",
                str(exports["onnx"][1]),
                "--format",
                "onnx",
                "--out",
                str(tmp_path / "b"),
            ),
            "already an export",
        ),
        (
            (
                "cli.synthesize",
                "你好",
                "-o",
                str(tmp_path / "x.wav"),
                "--model",
                str(voice),
                "--backend",
                "onnx",
            ),
            "not an export for the onnx backend",
        ),
        (
            (
                "cli.synthesize",
                "你好",
                "-o",
                str(tmp_path / "x.wav"),
                "--model",
                str(exports["onnx"][1]),
                "--backend",
                "torchscript",
            ),
            "export for the onnx backend",
        ),
        (
            (
                "cli.synthesize",
                "你好",
                "-o",
                str(tmp_path / "x.wav"),
                "--model",
                str(exports["onnx"][1]),
                "--quantize",
                "int8",
            ),
            "quantized when it is made",
        ),
    ]
    for args, message in cases:
        code, err = run(*args)
        assert (
            code == 1 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
        ), err
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"
    code, err = run("cli.export", "--format", "tflite", "--out", str(tmp_path / "c"))
    assert code == 2 and "invalid choice" in err


def test_damaged_export_is_refused(exports, tmp_path):
    copy = tmp_path / "e"
    shutil.copytree(exports["onnx"][1], copy)
    with open(copy / "decoder_step.onnx", "ab") as f:
        f.write(b"\0")
    with pytest.raises(VoiceError, match="SHA-256"):
        load_export(copy)
    shutil.copy(exports["onnx"][1] / "decoder_step.onnx", copy / "decoder_step.onnx")
    load_export(copy)
    (copy / "postnet.onnx").unlink()
    with pytest.raises(VoiceError, match="missing"):
        load_export(copy)


@pytest.mark.parametrize(
    "settings", [{"variance": False, "reduction": 1}, {"variance": True, "reduction": 4}]
)
@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_single_speaker_models_with_and_without_variance(settings, fmt, tmp_path):
    from tts.models.tacotron2 import Tacotron2, Tacotron2Config

    torch.manual_seed(0)
    model = Tacotron2(
        Tacotron2Config(
            symbol_dim=32,
            encoder_dim=32,
            attention_rnn_dim=48,
            decoder_rnn_dim=48,
            prenet_dim=32,
            attention_dim=16,
            location_filters=4,
            postnet_dim=32,
            postnet_convs=3,
            variance_filters=16,
            n_symbols=len(DEFAULT_TABLE),
            **settings,
        )
    ).eval()
    export_voice(write_voice(model, tmp_path / "voice"), tmp_path / "export", fmt, log=lambda _: None)
    exported = load_export(tmp_path / "export")
    assert exported.vocoder is None
    symbols, lengths = torch.randint(1, 50, (2, 9)), torch.tensor([9, 6])
    assert max(lockstep(model, exported.acoustic, symbols, lengths, steps=20).values()) <= TOLERANCE
    torch.manual_seed(0)
    a = model.infer(symbols, lengths, max_steps=10)
    torch.manual_seed(0)
    b = exported.acoustic.infer(symbols, lengths, max_steps=10)
    assert float((a.mel_post - b.mel_post).abs().max()) <= 1e-3 and (b.pitch is None) == (
        not settings["variance"]
    )


def test_export_replaces_an_earlier_export_and_reports_failures_in_one_line(voice, tmp_path, monkeypatch):
    import synthesis.deploy.export as export

    first = export_voice(voice, tmp_path / "e", "onnx", log=lambda _: None)
    second = export_voice(voice, tmp_path / "e", "onnx", quantize="int8", log=lambda _: None)
    assert first["quantize"] is None and second["quantize"] == "int8"
    assert load_export(tmp_path / "e").acoustic is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e"]  # no temporary folders left

    def broken(*_):
        raise RuntimeError(
            "Exporting the operator 'aten::magic' to ONNX opset version 17 is not supported.\nmore"
        )

    monkeypatch.setattr(export, "_write_onnx", broken)
    with pytest.raises(
        export.ExportError, match=r"^encoder: onnx export failed \(Exporting the operator 'aten::magic'"
    ):
        export_voice(voice, tmp_path / "e", "onnx", log=lambda _: None)
    assert (
        json.loads((tmp_path / "e" / "export.json").read_text())["quantize"] == "int8"
    )  # the earlier one stays
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e"]
