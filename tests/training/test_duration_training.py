"""A tiny duration-informed Tacotron2 overfits four utterances: the loss falls and
free-running synthesis (predicted durations) has the right length; the validation probe
scores what the recognizer hears. (Pitch control is tested on the shipped voice.)"""

import pytest
import torch

from core.config import from_dict
from core.trainer import Trainer
from tts.training.acoustic import AcousticRunConfig, AcousticTask
from tts.training.intelligibility import IntelligibilityProbe

from ..helpers import run_config

TINY = {
    "decoder": "parallel",
    "reduction": 1,
    "symbol_dim": 64,
    "encoder_dim": 64,
    "parallel_dim": 64,
    "parallel_layers": 2,
    "postnet_dim": 32,
    "postnet_convs": 3,
    "variance_filters": 32,
    "encoder_dropout": 0.0,
    "postnet_dropout": 0.0,
    "variance_dropout": 0.0,
    "decoder_dropout": 0.0,
}


@pytest.fixture(scope="module")
def trained(four_utterances, tmp_path_factory):
    torch.manual_seed(0)
    config = run_config(four_utterances, 150, lr=3e-3)
    config["model"] = {**TINY, "n_speakers": 2}
    config["loss"] = {"guided_attention": 0.0, "pitch": 1.0}
    task = AcousticTask(from_dict(AcousticRunConfig, config))
    batch = task.collate([task.train_set[i] for i in range(len(task.train_set))])
    first = _loss(task, batch)
    Trainer(task, tmp_path_factory.mktemp("run")).fit()
    task.model.eval()
    return task, batch, first


def _loss(task, batch):
    task.model.eval()
    with torch.no_grad():
        return float(task.loss(task.model, batch, 0)[0])


def test_loss_falls(trained):
    task, batch, first = trained
    assert _loss(task, batch) < 0.3 * first


def test_free_running_length_follows_the_predicted_durations(trained):
    task, batch, _ = trained
    for i in range(len(batch["ids"])):
        n = int(batch["symbol_lengths"][i])
        out = task.model.infer(batch["symbols"][i : i + 1, :n], speakers=batch["speakers"][i : i + 1])
        assert 0.8 < int(out.lengths[0]) / int(batch["mel_lengths"][i]) < 1.25


class _Copy(torch.nn.Module):
    """A 'model' whose synthesis is the real mel of each item (or noise): the probe's floor and ceiling."""

    def __init__(self, mels, noise=False):
        super().__init__()
        self.mels, self.noise, self.w = mels, noise, torch.nn.Parameter(torch.zeros(1))

    def infer(self, symbols, lengths, speakers=None):
        from types import SimpleNamespace

        mels = [torch.randn_like(m) * 2 - 6 if self.noise else m for m in self.mels[: len(symbols)]]
        t = max(m.shape[1] for m in mels)
        out = torch.stack([torch.nn.functional.pad(m, (0, t - m.shape[1]), value=-11.5) for m in mels])
        return SimpleNamespace(mel_post=out, lengths=torch.tensor([m.shape[1] for m in mels]))


def test_probe_hears_real_mels_and_not_noise(trained):
    task, _, _ = trained
    items = [task.train_set[i] for i in range(len(task.train_set))]
    refs = [task.train_set.records[i]["pinyin"].split() for i in range(len(items))]
    probe = IntelligibilityProbe(items, refs, task.config.features)
    mels = [task.model.denormalize(it["mel"][None])[0] for it in items]
    real = probe(_Copy(mels), speakers=False)
    noise = probe(_Copy(mels, noise=True), speakers=False)
    assert real["asr_error"] < 0.35 and real["asr_error_toneless"] <= real["asr_error"]
    assert noise["asr_error"] > 0.9


def test_probe_with_whisper_scores_both_judges(trained):
    pytest.importorskip("faster_whisper", reason="the Whisper judge is an extra: pip install -e '.[whisper]'")
    task, _, _ = trained
    items = [task.train_set[i] for i in range(2)]
    refs = [task.train_set.records[i]["pinyin"].split() for i in range(2)]
    texts = [task.train_set.records[i]["text"] for i in range(2)]
    probe = IntelligibilityProbe(items, refs, task.config.features, texts=texts)
    mels = [task.model.denormalize(it["mel"][None])[0] for it in items]
    noise = probe(_Copy(mels, noise=True), speakers=False)
    assert set(noise) == {"asr_error", "asr_error_toneless", "whisper_error", "whisper_cer"}
    assert noise["whisper_error"] > 0.9 and noise["whisper_cer"] > 0.9  # noise is not the sentences


def test_whisper_selection_needs_whisper():
    from tts.training.acoustic import ValidationConfig

    with pytest.raises(ValueError, match="needs whisper: true"):
        ValidationConfig(select="whisper_error")
    assert ValidationConfig(select="whisper_error", whisper=True).whisper
