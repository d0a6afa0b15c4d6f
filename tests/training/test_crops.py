"""Training on windows of whole symbols (data.crop_frames): the cut frames are the
utterance's own, length regulation yields exactly them, and the duration predictor still
learns every symbol's duration."""

import pytest
import torch

from core.config import ConfigError, from_dict
from tts.training.acoustic import AcousticRunConfig, AcousticTask
from tts.training.crops import FRAME_KEYS, crop_to_symbol_spans

from ..helpers import run_config
from .test_duration_training import TINY


@pytest.fixture(scope="module")
def task_and_batch(four_utterances):
    config = run_config(four_utterances, 2)
    config["model"] = {**TINY, "n_speakers": 2}
    config["data"]["crop_frames"] = 60
    task = AcousticTask(from_dict(AcousticRunConfig, config))
    return task, task.collate([task.train_set[i] for i in range(len(task.train_set))])


@pytest.mark.parametrize("frames", [25, 60, 10_000])
def test_each_window_is_a_run_of_whole_symbols_with_its_own_frames(task_and_batch, frames):
    _, batch = task_and_batch
    torch.manual_seed(0)
    for _ in range(5):
        cut = crop_to_symbol_spans(batch, frames)
        assert torch.equal(cut["duration_target"], batch["durations"])
        for i in range(len(batch["ids"])):
            kept = cut["durations"][i]
            n = int(cut["mel_lengths"][i])
            assert int(kept.sum()) == n
            nonzero = torch.nonzero(kept).flatten()
            run = slice(int(nonzero.min()), int(nonzero.max()) + 1)
            assert torch.equal(kept[run], batch["durations"][i][run])  # whole symbols, contiguous
            total = int(batch["mel_lengths"][i])
            assert n == total if total <= frames else n <= frames or len(nonzero) == 1
            start = int(batch["durations"][i][: run.start].sum())
            for key in FRAME_KEYS:
                assert torch.equal(cut[key][i, ..., :n], batch[key][i, ..., start : start + n])
                assert not cut[key][i, ..., n:].any()


def test_training_on_windows_keeps_the_duration_loss_and_drops_frames(task_and_batch):
    task, batch = task_and_batch
    model = task.model
    torch.manual_seed(0)
    model.train()
    out_cut, _, terms_cut = task._forward(model, batch, 0)
    assert out_cut.mel.shape[2] <= 60 < batch["mel"].shape[2]
    model.eval()  # validation: whole utterances
    out, _, terms = task._forward(model, batch, 0)
    assert out.mel.shape[2] == batch["mel"].shape[2]
    from tts.models.losses import duration_model_loss

    def duration_term(b):  # eval mode: the same durations predicted in both passes
        with torch.no_grad():
            o = model(*task._inputs(b), b["contour"], b["energy"], b["durations"])
        return duration_model_loss(o, b, task.config.loss)[1]["duration"]

    assert duration_term(crop_to_symbol_spans(batch, 60)) == pytest.approx(duration_term(batch), rel=1e-5)
    assert terms_cut["duration"] > 0


def test_windows_need_a_duration_model(four_utterances):
    config = run_config(four_utterances, 2)
    config["data"]["crop_frames"] = 60
    with pytest.raises((ConfigError, ValueError), match="crop_frames"):
        AcousticTask(from_dict(AcousticRunConfig, config))
