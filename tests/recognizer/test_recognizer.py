"""The recognizer: shapes, CTC training, decoding, error rate, augmentation, bad audio, CLI."""

import math
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from core.pitch import yin
from recognizer.augment import SpecAugment, speed_perturb
from recognizer.decode import beam_search, greedy_decode
from recognizer.metrics import edit_distance, error_rate
from recognizer.model import RecognizerConfig, build_recognizer
from recognizer.tokens import BLANK, TokenSet

from ..helpers import train_tiny

TINY = {"hidden": 48, "layers": 1, "conv_channels": 8, "dropout": 0.0}


@pytest.mark.parametrize("kind", ["crnn", "transformer"])
def test_shapes_and_lengths(kind):
    model = build_recognizer(RecognizerConfig(kind=kind, n_tokens=30, **TINY)).eval()
    log_probs, lengths = model(torch.randn(3, 64, 101), torch.tensor([101, 60, 21]))
    expected = {"crnn": [25, 15, 5], "transformer": [51, 30, 11]}[kind]
    assert log_probs.shape == (3, expected[0], 30) and lengths.tolist() == expected
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(3, log_probs.shape[1]))


def test_padding_does_not_change_the_crnn_output():
    model = build_recognizer(RecognizerConfig(n_tokens=30, **TINY)).eval()
    x = torch.randn(2, 64, 80)
    x[1, :, 40:] = 0
    both, lengths = model(x, torch.tensor([80, 40]))
    alone, _ = model(x[1:, :, :40], torch.tensor([40]))
    torch.testing.assert_close(both[1, : int(lengths[1])], alone[0], atol=1e-5, rtol=1e-4)


def test_tokens():
    ts = TokenSet.from_transcripts([["ni3", "hao3"], ["hao3", "ma5"]])
    assert ts.tokens == (BLANK, "hao3", "ma5", "ni3")
    assert ts.encode(["ni3", "xx1", "ma5"]) == [3, 2] and ts.decode([0, 3, 0, 2]) == ["ni3", "ma5"]
    with pytest.raises(ValueError):
        TokenSet(("hao3",))


def one_hot_path(path, vocab=4):
    lp = torch.full((1, len(path), vocab), -20.0)
    lp[0, torch.arange(len(path)), torch.tensor(path)] = 0.0
    return lp.log_softmax(-1)


def test_greedy_decode_of_a_hand_made_sequence():
    # a a _ a b b _ b → a a b b
    assert greedy_decode(one_hot_path([1, 1, 0, 1, 2, 2, 0, 2])) == [[1, 1, 2, 2]]
    assert greedy_decode(one_hot_path([0, 0, 0])) == [[]]
    assert greedy_decode(one_hot_path([3, 3, 3, 1]), torch.tensor([2])) == [[3]]


def test_beam_search_finds_the_likelier_labelling():
    # per frame: blank .4, a .35, b .25. Best path is "_ _" (.16), but "a" has .4025
    frame = torch.log(torch.tensor([0.4, 0.35, 0.25]))
    lp = frame.repeat(2, 1)
    assert greedy_decode(lp[None]) == [[]]
    assert beam_search(lp, beam=4) == [1]
    assert beam_search(one_hot_path([1, 1, 0, 1, 2])[0], beam=4) == [1, 1, 2]


@pytest.mark.parametrize(
    "ref,hyp,edits",
    [
        (["a", "b", "c"], ["a", "b", "c"], 0),
        (["a", "b", "c"], ["a", "c"], 1),
        (["a", "b", "c"], ["a", "x", "c", "d"], 2),
        (["a"], [], 1),
        ([], ["a", "b"], 2),
        (["ni3", "hao3"], ["ni2", "hao3"], 1),  # a tone error is an error
    ],
)
def test_edit_distance(ref, hyp, edits):
    assert edit_distance(ref, hyp) == edits


def test_error_rate_is_corpus_level():
    assert error_rate([["a", "b", "c", "d"], ["e"]], [["a", "b", "c", "d"], []]) == pytest.approx(1 / 5)
    with pytest.raises(ValueError):
        error_rate([[]], [["a"]])


def test_toneless_error_rate_forgives_only_tones():
    from recognizer.metrics import toneless_error_rate

    ref, hyp = [["ni3", "hao3", "ma5"]], [["ni2", "hao3", "me5"]]
    assert error_rate(ref, hyp) == pytest.approx(2 / 3)
    assert toneless_error_rate(ref, hyp) == pytest.approx(1 / 3)


def test_spec_augment_masks_as_specified():
    torch.manual_seed(0)
    x = torch.randn(64, 200) + 5.0
    aug = SpecAugment(freq_masks=2, freq_width=10, time_masks=2, time_width=30)
    y = aug(x)
    changed = y != x
    rows, cols = changed.all(1), changed.all(0)
    assert y.shape == x.shape
    assert 0 < rows.sum() <= 20 and 0 < cols.sum() <= 60
    # every changed cell lies in a masked row or column and holds the fill value
    assert (changed == (rows[:, None] | cols[None, :])).all()
    assert torch.allclose(y[changed], torch.full_like(y[changed], float(x.mean())))


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_perturbation_changes_length_and_pitch(factor, sine):
    tone = torch.from_numpy(sine(200.0, seconds=1.0, rate=16000))
    out = speed_perturb(tone, 16000, factor)
    assert len(out) == pytest.approx(16000 / factor, rel=0.01)
    f0, voiced = yin(out.numpy(), 16000, 160)
    assert np.median(f0[voiced]) == pytest.approx(200.0 * factor, rel=0.01)


@pytest.mark.parametrize("warp", [0.9, 1.1])
@pytest.mark.parametrize("kind", ["logmel", "mfcc"])
def test_vocal_tract_warping_moves_a_tone_by_its_factor(warp, kind, sine):
    """VTLP moves spectral peaks by the warp factor: a 1 kHz tone's power lands at warp kHz."""
    from recognizer.features import AsrFeatureConfig, AsrFeatures, warp_frequencies

    tone = torch.from_numpy(sine(1000.0, seconds=0.5, rate=16000))
    features = AsrFeatures(AsrFeatureConfig(kind=kind))
    power = features.mel.spectrogram(tone).mean(-1)  # (257,): 31.25 Hz a bin
    peak = lambda p: float(p.argmax()) * 8000 / 256
    assert peak(power) == pytest.approx(1000, abs=32)
    assert peak(warp_frequencies(power[:, None], warp)[:, 0]) == pytest.approx(1000 * warp, abs=32)
    # the band's edges stay put, and the features change but keep their shape
    flat = torch.ones(257, 1)
    torch.testing.assert_close(warp_frequencies(flat, warp), flat)
    plain, warped = features(tone), features(tone, warp)
    assert warped.shape == plain.shape and not torch.allclose(warped, plain)


def test_augmentation_shares_are_checked():
    from recognizer.training import RecognizerDataConfig

    with pytest.raises(ValueError, match="data.vtlp"):
        RecognizerDataConfig(vtlp=0.7)


@pytest.fixture(scope="module")
def trained(four_utterances, tmp_path_factory):
    cfg = {
        "task": "recognizer",
        "data": {"features_dir": str(four_utterances), "speed_perturb": 0.0, "spec_augment": False},
        "model": TINY,
        "train": {
            "steps": 60,
            "batch_size": 4,
            "lr": 5e-3,
            "scheduler": "none",
            "log_every": 10,
            "validate_every": 10**6,
            "checkpoint_every": 10**6,
            "progress": False,
        },
    }
    out = tmp_path_factory.mktemp("rec")
    return train_tiny(cfg, out), cfg


def test_ctc_loss_decreases_on_a_tiny_set(trained, four_utterances):
    from cli.train import registered_task
    from core.checkpoint import load_checkpoint
    from core.config import from_dict

    ckpt, cfg = trained
    run_class, task_class = registered_task("recognizer")
    task = task_class(from_dict(run_class, cfg))
    batch = task.collate([task.train_set[i] for i in range(len(task.train_set))])
    task.model.eval()
    with torch.no_grad():
        before = float(task.loss(task.model, batch, 0)[0])
        task.model.load_state_dict(load_checkpoint(ckpt)["model"])
        after = float(task.loss(task.model, batch, 0)[0])
    assert after < 0.5 * before and math.isfinite(after)


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "cli.recognize", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_and_bad_audio(trained, four_utterances, tmp_path):
    import json

    ckpt, _ = trained
    wav = json.loads((four_utterances / "index.json").read_text())[0]["audio"]
    audio, sr = sf.read(wav, dtype="float32")
    stereo = tmp_path / "stereo_44k.wav"
    sf.write(stereo, np.stack([audio, audio], 1)[::1], sr)  # stereo
    other_rate = tmp_path / "rate.wav"
    sf.write(other_rate, audio, 44100)  # wrong header rate: still read
    empty, silent, corrupt = tmp_path / "empty.wav", tmp_path / "silent.wav", tmp_path / "corrupt.wav"
    sf.write(empty, np.zeros(0, dtype=np.float32), 16000)
    sf.write(silent, np.zeros(16000, dtype=np.float32), 16000)
    corrupt.write_bytes(b"RIFF....WAVEjunk")
    r = cli("--model", str(ckpt), wav, str(stereo), str(other_rate))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.rstrip("\n").split("\n")
    assert len(lines) == 3 and all("\t" in ln for ln in lines)
    r = cli("--model", str(ckpt), str(empty), str(silent), str(corrupt), wav)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "empty" in r.stderr and "silent" in r.stderr and "cannot read" in r.stderr
    assert len(r.stdout.rstrip("\n").split("\n")) == 1  # the good file still recognized
    r = cli("--model", str(ckpt), wav, "--text", "今天天气很好。")
    assert r.returncode == 0 and "syllable error rate" in r.stderr
    r = cli("--model", str(tmp_path / "none.pt"), wav)
    assert r.returncode == 1 and "not found" in r.stderr


def test_the_shipped_recognizer_understands_rendered_speech(four_utterances):
    """The recognizer that ships (trained on the built-in corpus) on freshly rendered audio."""
    from recognizer.api import DEFAULT_RECOGNIZER, Recognizer

    asr = Recognizer.load(DEFAULT_RECOGNIZER)
    wavs = sorted((four_utterances.parent / "data" / "wavs").glob("*.wav"))
    texts = {"000": "今天天气很好。", "001": "我们去公园散步。"}
    rate = asr.error_rate(wavs, [texts[w.stem.split("_")[1]] for w in wavs])
    assert rate <= 0.15, rate
    r = subprocess.run([sys.executable, "-m", "cli.recognize", str(wavs[0])], capture_output=True, text=True)
    assert r.returncode == 0 and "tian1" in r.stdout, r.stderr


def test_missing_file_is_named_not_a_system_error(tmp_path):
    """Issue 17: tts-recognize on a missing file said 'System error.'"""
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "cli.recognize", str(tmp_path / "none.wav")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "no such file" in r.stderr and "System error" not in r.stderr and "Traceback" not in r.stderr
