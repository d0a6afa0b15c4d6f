"""Damaged checkpoints are refused with one line naming the alternatives; a run whose loss
goes non-finite stops without writing; writes are fsynced before and after the rename."""

import math
import os

import pytest
import torch

from core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from core.config import from_dict
from core.files import first_line
from core.trainer import Trainer, TrainingDiverged
from tts.training.acoustic import AcousticRunConfig, AcousticTask

from ..helpers import run_config
from .test_trainer import _write_config, cli


@pytest.fixture()
def run(four_utterances, tmp_path):
    """A CLI run of 4 steps with a checkpoint every 2 steps."""
    cfg = _write_config(tmp_path / "c.yaml", four_utterances, 4, checkpoint_every=2)
    out = tmp_path / "run"
    r = cli("--config", str(cfg), "--out", str(out))
    assert r.returncode == 0, r.stderr
    return cfg, out


def _flip(path, start_fraction=0.5, size=4096):
    data = bytearray(path.read_bytes())
    start = int(len(data) * start_fraction)
    for i in range(start, min(len(data), start + size)):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_bytes_are_refused_and_the_others_named(run):
    cfg, out = run
    _flip(out / "checkpoints/latest.pt")
    r = cli("--config", str(cfg), "--out", str(out), "--resume", "--set", "train.steps=6")
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "step_0000002.pt" in r.stderr, r.stderr
    # nothing was overwritten: the good checkpoints are still there and load
    assert load_checkpoint(out / "checkpoints/step_0000004.pt")["step"] == 4


def test_damage_inside_a_tensor_is_caught_by_the_checksum(tmp_path):
    path = tmp_path / "c.pt"
    save_checkpoint(path, {"step": 1, "w": torch.arange(200_000, dtype=torch.float32)})
    data = bytearray(path.read_bytes())
    at = data.find(torch.tensor([100_000.0]).numpy().tobytes())
    assert at > 0
    data[at : at + 4] = torch.tensor([float("nan")]).numpy().tobytes()  # a NaN where a weight was
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="damaged"):
        load_checkpoint(path)


def test_zero_byte_checkpoint_is_one_line(run):
    cfg, out = run
    (out / "checkpoints/latest.pt").write_bytes(b"")
    r = cli("--config", str(cfg), "--out", str(out), "--resume")
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "latest.pt" in r.stderr and "step_0000004.pt" in r.stderr, r.stderr


def test_non_finite_loss_stops_without_writing(four_utterances, tmp_path, monkeypatch):
    cfg = from_dict(AcousticRunConfig, run_config(four_utterances, 6, checkpoint_every=1, keep_checkpoints=2))
    task = AcousticTask(cfg)
    real_loss = task.loss

    def loss(model, batch, step):
        value, terms = real_loss(model, batch, step)
        return (value * math.nan, terms) if step >= 3 else (value, terms)

    monkeypatch.setattr(task, "loss", loss)
    trainer = Trainer(task, tmp_path)
    with pytest.raises(
        TrainingDiverged, match="step 4: the loss (and the gradient norm )?(is|are) not finite"
    ):
        trainer.fit()
    latest = load_checkpoint(tmp_path / "checkpoints/latest.pt")
    assert latest["step"] == 3
    assert all(torch.isfinite(v).all() for v in latest["model"].values() if v.is_floating_point())
    assert sorted(p.name for p in (tmp_path / "checkpoints").glob("step_*.pt")) == [
        "step_0000002.pt",
        "step_0000003.pt",
    ]


def test_writes_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(
        os,
        "fsync",
        lambda fd: (calls.append(("fsync", os.path.isdir(f"/proc/self/fd/{fd}"))), real_fsync(fd)),
    )
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(("replace", None)), real_replace(a, b)))
    save_checkpoint(tmp_path / "c.pt", {"step": 1})
    assert calls == [("fsync", False), ("replace", None), ("fsync", True)]


def test_first_line_of_an_empty_message_is_the_error_type():
    assert first_line(ValueError()) == "ValueError"
    assert first_line(ValueError("one\ntwo")) == "one"
    long = first_line(ValueError("size mismatch for conv.weight: copying a param " * 5), 40)
    assert long == "size mismatch for conv.weight: copying…"  # cut between words, and marked
