"""A long recording, a worker that dies, a SIGTERM: tts-prepare ends promptly with one line,
keeps what it finished, and a re-run resumes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.workers import WorkerDied, run_jobs

ROOT = Path(__file__).resolve().parents[2]
RATE = 22050


def die_on(job):
    if job == "poison":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.2)
    return job * 2


def test_a_worker_killed_is_an_error_naming_its_job_not_a_hang():
    done = []
    t0 = time.monotonic()
    with pytest.raises(WorkerDied) as err:
        for result in run_jobs(die_on, [1, 2, "poison", 3, 4], workers=1, describe=lambda j: f"job {j}"):
            done.append(result)
    assert time.monotonic() - t0 < 30
    assert done == [2, 4]  # what came before is kept
    assert "while working on job poison" in str(err.value) and "out-of-memory" in str(err.value)


def noise_dataset(root: Path, files: int, seconds: float, long_one: float | None = None) -> Path:
    (root / "wavs").mkdir(parents=True)
    rng = np.random.default_rng(0)
    lines = []
    for i in range(files):
        length = long_one if (long_one and i == 1) else seconds
        sf.write(
            root / "wavs" / f"u{i:03d}.wav",
            (0.1 * rng.standard_normal(int(length * RATE))).astype(np.float32),
            RATE,
        )
        lines.append(f"u{i:03d}|今天天气很好，我们去公园散步。")
    (root / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def prepare_cli(data, out, *args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "cli.prepare", "--data", data, "--out", out, "--no-align", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, **kw,
    )  # fmt: skip


def test_a_file_longer_than_the_limit_is_left_out_and_the_rest_prepared(tmp_path):
    data = noise_dataset(tmp_path / "data", files=3, seconds=2, long_one=90)
    p = prepare_cli(data, tmp_path / "feats", "--jobs", 1, "--max-seconds", 60)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    long_file = data / "wavs" / "u001.wav"
    assert f"{long_file}: 90 s is longer than the limit (60 s, data.max_seconds); split it first" in err
    index = json.loads((tmp_path / "feats" / "index.json").read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in index) == ["u000", "u002"]


def worker_pid(parent: int, timeout: float = 60) -> int:
    """The spawned worker process of ``parent`` (not multiprocessing's resource tracker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (proc / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent and b"spawn_main" in cmdline:
                return int(proc.name)
        time.sleep(0.2)
    raise AssertionError("no worker process appeared")


@pytest.fixture
def slow_dataset(tmp_path):
    return noise_dataset(tmp_path / "data", files=40, seconds=12)


def wait_for_items(feats: Path, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((feats / "items").glob("*.npz"))) >= n:
            return
        time.sleep(0.2)
    raise AssertionError(f"fewer than {n} utterances were prepared in {timeout} s")


def test_a_worker_killed_mid_run_ends_the_command_and_a_rerun_resumes(slow_dataset, tmp_path):
    feats = tmp_path / "feats"
    p = prepare_cli(slow_dataset, feats, "--jobs", 1)
    wait_for_items(feats, 2)
    os.kill(worker_pid(p.pid), signal.SIGKILL)  # as the out-of-memory killer would
    t0 = time.monotonic()
    _, err = p.communicate(timeout=60)
    assert time.monotonic() - t0 < 15
    assert p.returncode == 1 and "Traceback" not in err
    line = err.strip().splitlines()[-1]
    assert line.startswith("tts-prepare: error: a worker process was killed (SIGKILL") and "wavs/u0" in line
    kept = json.loads((feats / "index.json").read_text(encoding="utf-8"))
    assert len(kept) >= 2
    again = prepare_cli(slow_dataset, feats, "--jobs", 1)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert "40 utterances" in out and f"{40 - len(kept)} computed now" in out


def test_the_first_sigterm_ends_it_promptly_keeping_what_was_finished(slow_dataset, tmp_path):
    feats = tmp_path / "feats"
    p = prepare_cli(slow_dataset, feats, "--jobs", 2)
    wait_for_items(feats, 2)
    worker = worker_pid(p.pid)
    p.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    _, err = p.communicate(timeout=60)
    assert time.monotonic() - t0 < 10
    assert p.returncode == 143 and err.strip().splitlines()[-1] == "tts-prepare: error: terminated"
    assert len(json.loads((feats / "index.json").read_text(encoding="utf-8"))) >= 2
    time.sleep(1)
    assert not Path(f"/proc/{worker}").exists() or "Z" in Path(f"/proc/{worker}/stat").read_text().split()[2]
