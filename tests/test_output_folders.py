"""Commands that write into a folder the user names (tts-export, tts-mos build, tts-eval) refuse
an --out that is a FIFO, a device or a file with one line, and leave it as it was (issue 35)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def targets(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    file = tmp_path / "file.txt"
    file.write_text("keep me")
    return fifo, file


@pytest.fixture
def wav_folders(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        tone = 0.3 * np.sin(np.arange(22050) / 8).astype(np.float32)
        sf.write(tmp_path / name / "u1.wav", tone, 22050)
    return tmp_path / "a", tmp_path / "b"


def commands(a, b):
    return {
        "tts-export": ["cli.export", "--format", "onnx"],
        "tts-mos build": ["cli.mos", "build", "--system", f"a={a}", "--system", f"b={b}"],
        "tts-eval": ["cli.evaluate", "--synthesized", a, "--reference", b, "--judge", "recognizer"],
    }


@pytest.mark.parametrize("command", ["tts-export", "tts-mos build", "tts-eval"])
def test_an_out_that_is_not_a_folder_is_one_line_and_untouched(command, targets, wav_folders):
    fifo, file = targets
    for out in (fifo, file):
        args = commands(*wav_folders)[command]
        r = subprocess.run(
            [sys.executable, "-m", *map(str, args), "--out", str(out)],
            capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert r.returncode == 1 and "Traceback" not in r.stderr, (command, out, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert fifo.is_fifo() and file.read_text() == "keep me"
