"""The training machinery: exact resume, safe checkpoints, schedules, AMP, accumulation,
DDP on two CPU processes, and tts-train as a user runs it (Ctrl-C included)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

from core.checkpoint import (
    TRAINING_STATE,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
    weights_only,
)
from core.config import from_dict
from core.data.prepare import prepare
from core.trainer import Trainer
from tts.training.acoustic import AcousticRunConfig, AcousticTask

from ..helpers import make_dataset, run_config, train_tiny, vocoder_config


def train(feats, out, steps, stop_at=None, resume=None, **train_kw):
    cfg = from_dict(AcousticRunConfig, run_config(feats, steps, **train_kw))
    task = AcousticTask(cfg)
    trainer = Trainer(task, out, resume)
    trainer.fit(stop_at=stop_at)
    return trainer


def same_weights(a, b):
    sa, sb = a.model.state_dict(), b.model.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_resume_continues_exactly(with_validation, tmp_path):
    kw = dict(validate_every=2, scheduler="cosine", batch_size=2)
    straight = train(with_validation, tmp_path / "a", 6, **kw)
    train(with_validation, tmp_path / "b", 6, stop_at=3, **kw)
    resumed = train(with_validation, tmp_path / "b", 6, resume=tmp_path / "b/checkpoints/latest.pt", **kw)
    assert resumed.step == straight.step == 6
    assert same_weights(straight, resumed)
    assert (
        straight.optimizer.state_dict()["state"][0]["step"]
        == resumed.optimizer.state_dict()["state"][0]["step"]
    )
    assert straight.lr == resumed.lr


def test_checkpoint_holds_everything_and_best_is_kept(with_validation, tmp_path):
    t = train(with_validation, tmp_path, 4, validate_every=2, checkpoint_every=2, keep_checkpoints=1)
    state = load_checkpoint(tmp_path / "checkpoints/latest.pt")
    assert state["step"] == 4 and state["task"] == "acoustic"
    assert state["task_state"]["symbols"]["checksum"] and state["task_state"]["speakers"] == ["spk0", "spk3"]
    assert {"model", "optimizer", "scheduler", "scaler", "rng", "epoch", "batch_in_epoch"} <= set(state)
    assert (tmp_path / "checkpoints/best.pt").exists()
    assert [p.name for p in (tmp_path / "checkpoints").glob("step_*.pt")] == ["step_0000004.pt"]
    assert load_checkpoint(tmp_path / "checkpoints/best.pt")["best_val"] == t.best_val
    events = list((tmp_path / "tensorboard").iterdir())
    assert events and events[0].stat().st_size > 0


def test_unsafe_or_corrupt_checkpoints_are_refused(tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    torch.save({"format": "mandarin-tts-checkpoint", "version": 1, "evil": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(tmp_path / "evil.pt")
    (tmp_path / "cut.pt").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "cut.pt")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a mandarin-tts checkpoint"):
        load_checkpoint(tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "latest.pt"
    save_checkpoint(path, {"step": 1})

    def broken_save(obj, f, *a, **k):
        f.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        save_checkpoint(path, {"step": 2})
    assert load_checkpoint(path)["step"] == 1  # the old checkpoint survives


@pytest.mark.parametrize("scheduler", ["cosine", "plateau", "noam", "none"])
def test_schedules(four_utterances, tmp_path, scheduler):
    t = train(four_utterances, tmp_path, 4, scheduler=scheduler, warmup_steps=2, lr=1e-3, min_lr=1e-4)
    if scheduler == "cosine":
        assert t.lr == pytest.approx(1e-4)
    elif scheduler == "noam":
        assert t.lr == pytest.approx(1e-3 * (2 / 5) ** 0.5)
    else:
        assert t.lr == pytest.approx(1e-3)


def test_bf16_autocast_and_accumulation_train(four_utterances, tmp_path):
    from core.trainer import cpu_bf16_lstm_supported

    if not cpu_bf16_lstm_supported():  # CPUs without AVX-512: a clear error, not a crash mid-step
        with pytest.raises(ValueError, match="AVX-512"):
            train(four_utterances, tmp_path, 2, amp="bf16", accumulation=2, batch_size=2)
    amp = "bf16" if cpu_bf16_lstm_supported() else "none"
    t = train(four_utterances, tmp_path / "run", 2, amp=amp, accumulation=2, batch_size=2)
    # 4 utterances in batches of 2: an epoch is 2 batches, one optimizer step
    assert t.step == 2 and t.epoch == 1 and t.batch_in_epoch == 2
    assert all(torch.isfinite(p).all() for p in t.model.parameters())


def test_fp16_on_cpu_is_refused(four_utterances, tmp_path):
    with pytest.raises(ValueError, match="fp16"):
        train(four_utterances, tmp_path, 1, amp="fp16")


def _write_config(path, feats, steps, **train_kw):
    path.write_text(yaml.safe_dump(run_config(feats, steps, **train_kw)), encoding="utf-8")
    return path


def test_ddp_two_cpu_processes_end_with_identical_weights(four_utterances, tmp_path):
    cfg = _write_config(tmp_path / "c.yaml", four_utterances, 3, batch_size=2)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            "29533",
            "-m",
            "cli.train",
            "--config",
            str(cfg),
            "--out",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    hashes = [(tmp_path / f"run/params_rank{i}.sha256").read_text() for i in (0, 1)]
    assert hashes[0] == hashes[1]
    state = load_checkpoint(tmp_path / "run/checkpoints/latest.pt")
    assert state["world_size"] == 2 and state["step"] == 3


def cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "cli.train", *args], capture_output=True, text=True, timeout=600, **kw
    )


def test_cli_trains_resumes_and_refuses_to_overwrite(four_utterances, tmp_path):
    cfg = _write_config(tmp_path / "c.yaml", four_utterances, 4)
    out = tmp_path / "run"
    r = cli("--config", str(cfg), "--out", str(out), "--stop-at", "2")
    assert r.returncode == 0, r.stderr
    assert "step 2" in r.stdout and load_checkpoint(out / "checkpoints/latest.pt")["step"] == 2
    saved = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    assert saved["model"]["reduction"] == 2 and saved["train"]["steps"] == 4
    r = cli("--config", str(cfg), "--out", str(out))
    assert r.returncode == 1 and "--resume" in r.stderr and "Traceback" not in r.stderr
    r = cli("--config", str(cfg), "--out", str(out), "--resume")
    assert r.returncode == 0, r.stderr
    assert load_checkpoint(out / "checkpoints/latest.pt")["step"] == 4
    r = cli("--config", str(cfg), "--out", str(out), "--resume", "--set", "model.encoder_dim=32")
    assert r.returncode == 1 and "another model" in r.stderr
    # a checkpoint written before a model setting existed resumes (the setting at its default)
    state = load_checkpoint(out / "checkpoints/latest.pt")
    del state["config"]["model"]["max_frames_per_symbol"]
    save_checkpoint(out / "checkpoints/latest.pt", state)
    r = cli("--config", str(cfg), "--out", str(out), "--resume", "--set", "train.steps=5")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("committed_form", [False, True])
def test_cli_init_starts_a_new_run_from_weights(four_utterances, tmp_path, committed_form):
    cfg = _write_config(tmp_path / "c.yaml", four_utterances, 2)
    source = load_checkpoint(train_tiny(run_config(four_utterances, 2), tmp_path / "a"))  # in process: faster
    if (
        committed_form
    ):  # weights only: the form a run's weights are committed in (scripts/checkpoint_weights.py)
        full = tmp_path / "a/checkpoints/latest.pt"
        size = full.stat().st_size
        small = weights_only(load_checkpoint(full))
        save_checkpoint(full, small)
        assert full.stat().st_size < size and not set(TRAINING_STATE) & set(small)
        r = cli("--config", str(cfg), "--out", str(tmp_path / "a"), "--resume")
        assert r.returncode == 1 and "weights only" in r.stderr and "Traceback" not in r.stderr
    # lr 0 (written 0e-4, which YAML 1.1 reads as a string): the step leaves the weights as loaded
    r = cli(
        "--config",
        str(cfg),
        "--out",
        str(tmp_path / "b"),
        "--init",
        str(tmp_path / "a/checkpoints/latest.pt"),
        "--set",
        "train.lr=0e-4",
        "--set",
        "train.min_lr=0e-4",
        "--set",
        "train.weight_decay=0",
        "--stop-at",
        "1",
    )
    assert r.returncode == 0, r.stderr
    state = load_checkpoint(tmp_path / "b/checkpoints/latest.pt")
    assert state["step"] == 1 and state["config"]["train"]["lr"] == 0.0
    for name, w in source["model"].items():
        if "running_" not in name and "num_batches" not in name:  # batch-norm statistics move
            assert torch.equal(w, state["model"][name]), name
    r = cli(
        "--config",
        str(cfg),
        "--out",
        str(tmp_path / "c"),
        "--init",
        str(tmp_path / "a/checkpoints/latest.pt"),
        "--resume",
    )
    assert r.returncode == 1 and "exclude" in r.stderr and "Traceback" not in r.stderr


def test_deepened_waveglow_weights_start_a_deeper_run(four_utterances, tmp_path):
    """scripts/checkpoint_weights.py --deepen: a WaveGlow's weights grown to more WN layers
    start a run of the deeper model; another task's checkpoint is a one-line error."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "checkpoint_weights.py"
    config = vocoder_config(four_utterances, 2)
    source = train_tiny(config, tmp_path / "a")
    grown = tmp_path / "grown.pt"
    r = subprocess.run(
        [sys.executable, str(script), source, grown, "--deepen", "3"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    state = load_checkpoint(grown)
    assert state["config"]["model"]["wn_layers"] == state["task_state"]["model_config"]["wn_layers"] == 3
    assert not set(TRAINING_STATE) & set(state)
    cfg = tmp_path / "v.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    r = cli(
        "--config",
        cfg,
        "--out",
        tmp_path / "b",
        "--init",
        grown,
        "--set",
        "model.wn_layers=3",
        "--stop-at",
        "1",
    )
    assert r.returncode == 0, r.stderr
    assert load_checkpoint(tmp_path / "b/checkpoints/latest.pt")["config"]["model"]["wn_layers"] == 3
    acoustic = train_tiny(run_config(four_utterances, 1), tmp_path / "c")
    r = subprocess.run(
        [sys.executable, str(script), acoustic, tmp_path / "x.pt", "--deepen", "3"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1 and "grows a WaveGlow" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.pt").exists()


def test_cli_init_from_a_voice_folder_fine_tunes_its_acoustic_model(four_utterances, tmp_path):
    from synthesis.voice import build_voice

    cfg = _write_config(tmp_path / "c.yaml", four_utterances, 2)
    source = load_checkpoint(train_tiny(run_config(four_utterances, 2), tmp_path / "a"))
    build_voice(tmp_path / "a/checkpoints/latest.pt", tmp_path / "voice")
    r = cli(
        "--config",
        str(cfg),
        "--out",
        str(tmp_path / "b"),
        "--init",
        str(tmp_path / "voice"),
        "--set",
        "train.lr=0",
        "--set",
        "train.min_lr=0",
        "--set",
        "train.weight_decay=0",
        "--stop-at",
        "1",
    )
    assert r.returncode == 0, r.stderr
    state = load_checkpoint(tmp_path / "b/checkpoints/latest.pt")
    for name, w in source["model"].items():
        if "running_" not in name and "num_batches" not in name:
            assert torch.equal(w, state["model"][name]), name
    r = cli(
        "--config",
        str(cfg),
        "--out",
        str(tmp_path / "c"),
        "--init",
        str(tmp_path / "voice"),
        "--set",
        "model.encoder_dim=32",
    )
    assert r.returncode == 1 and "does not fit" in r.stderr and "Traceback" not in r.stderr


def test_fine_tuning_on_other_data_keeps_the_models_normalization(four_utterances, tmp_path):
    """Fine-tuning a voice on data with other statistics (another pitch range) normalizes
    that data with the voice's statistics: before the fix the data was scaled with its own
    while the model kept the voice's buffers, so a semitone meant another thing in training
    and at synthesis."""
    from cli.train import _voice_weights, load_run_config
    from core.data.items import load_item
    from core.run_start import start_task
    from synthesis.voice import build_voice
    from tts.training.acoustic import AcousticTask

    other = make_dataset(tmp_path / "other", voices=(0,))  # one of the two pitch ranges
    prepare(other, tmp_path / "other_feats", jobs=1, progress=False)
    source = load_checkpoint(train_tiny(run_config(four_utterances, 1), tmp_path / "a"))
    build_voice(tmp_path / "a/checkpoints/latest.pt", tmp_path / "voice")
    cfg = _write_config(tmp_path / "c.yaml", tmp_path / "other_feats", 1)
    config = load_run_config(str(cfg), [])
    task, _ = start_task(
        AcousticTask, config, tmp_path / "run", init=tmp_path / "voice", open_voice_weights=_voice_weights
    )
    own = json.loads((tmp_path / "other_feats/stats.json").read_text(encoding="utf-8"))
    assert abs(own["log_f0_mean"] - float(source["model"]["variance_stats"][0])) > 0.05  # the data differ
    for name in ("variance_stats", "mel_mean", "mel_std"):
        assert torch.equal(task.model.state_dict()[name], source["model"][name]), name
    item, raw = task.train_set[0], load_item(tmp_path / "other_feats", task.train_set.records[0]["id"])
    mean, std = source["model"]["mel_mean"], source["model"]["mel_std"]
    assert torch.allclose(
        item["mel"], (torch.from_numpy(raw["mel"]) - mean[:, None]) / std[:, None], atol=1e-5
    )
    f0_mean, f0_std = source["model"]["variance_stats"][:2].tolist()
    voiced = item["voiced"]
    assert torch.allclose(
        item["pitch"][voiced],
        (torch.log(torch.from_numpy(raw["f0"]))[voiced].double() - f0_mean).div(f0_std).float(),
        atol=1e-4,
    )


@pytest.mark.parametrize(
    "override,message",
    [
        ("train.scheduler=linear", "unknown scheduler"),
        ("train.stepz=3", "unknown key 'train.stepz'"),
        ("model.reduction=7", "reduction"),
        ("data.features_dir=/nonexistent", "no prepared features"),
        ("task=vocoderx", "unknown task"),
        ("train=3", "is a section"),  # issue 17: was a traceback
        ("train.checkpoint_every=0", "checkpoint_every must be at least 1"),  # was a traceback after a step
    ],
)
def test_cli_bad_config_is_one_line(four_utterances, tmp_path, override, message):
    cfg = _write_config(tmp_path / "c.yaml", four_utterances, 2)
    r = cli("--config", str(cfg), "--out", str(tmp_path / "run"), "--set", override)
    assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_ctrl_c_writes_a_checkpoint_and_stops(four_utterances, tmp_path):
    cfg = _write_config(tmp_path / "c.yaml", four_utterances, 100000, progress=True, log_every=1)
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.train", "--config", str(cfg), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 300
    while not any((out / "tensorboard").glob("events*")) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.5)
    time.sleep(3)  # a few steps
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr[-2000:]
    assert "interrupted" in stderr and "Traceback" not in stderr
    state = load_checkpoint(out / "checkpoints/latest.pt")
    assert 0 < state["step"] < 100000


@pytest.mark.parametrize(
    "name,task",
    [
        ("tacotron2_small", "acoustic"),
        ("tacotron2_full", "acoustic"),
        ("waveglow_small", "vocoder"),
        ("waveglow_full", "vocoder"),
        ("recognizer_crnn", "recognizer"),
        ("recognizer_transformer", "recognizer"),
    ],
)
def test_shipped_configs_load(name, task):
    from pathlib import Path

    from cli.train import load_run_config

    config = load_run_config(str(Path(__file__).parents[2] / "configs" / f"{name}.yaml"), [])
    assert config.task == task


def test_default_threads_keep_to_omp_num_threads(monkeypatch):
    """Two test workers (or jobs) on two cores, each opening a two-thread pool, trained up to
    8× slower (a 60-step fixture: 498 s against 58 s); threads: 0 now honours OMP_NUM_THREADS."""
    from core.trainer import default_threads

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert default_threads(1) == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert default_threads(1) == max(1, os.cpu_count() or 1)
    assert default_threads(os.cpu_count() or 1) == 1


def test_a_one_speaker_voice_fine_tunes_on_another_speakers_data(tmp_path):
    """A one-speaker model speaks whoever it is trained on: fine-tuning it on a corpus of
    another voice used to fail with "the training split is empty" (the data was filtered to
    the voice's speaker name). A several-speaker model keeps its speakers (its embeddings),
    and data with none of them is refused by name."""
    from cli.train import _voice_weights, load_run_config
    from core.run_start import start_task
    from synthesis.voice import build_voice
    from tts.training.acoustic import AcousticTask

    for name, voices in (("low", (0,)), ("high", (3,))):
        prepare(
            make_dataset(tmp_path / name, voices=voices), tmp_path / f"{name}_feats", jobs=1, progress=False
        )
    train_tiny(run_config(tmp_path / "low_feats", 1), tmp_path / "a")
    build_voice(tmp_path / "a/checkpoints/latest.pt", tmp_path / "voice")
    cfg = _write_config(tmp_path / "c.yaml", tmp_path / "high_feats", 1)
    config = load_run_config(str(cfg), [])
    task, _ = start_task(
        AcousticTask, config, tmp_path / "run", init=tmp_path / "voice", open_voice_weights=_voice_weights
    )
    assert task.speakers == ["spk3"] and len(task.train_set) == 2
    with pytest.raises(ValueError, match="none of the model's speakers"):
        AcousticTask(load_run_config(str(cfg), []), state={"speakers": ["spk0", "spk1"]})
