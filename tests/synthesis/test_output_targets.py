"""`tts-synthesize -o` writes where the user sends it: regular files atomically, FIFOs and
standard output through (never replaced), symlinks to their target, write errors as one line."""

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio import wav_output
from core.files import resolve_output

ROOT = Path(__file__).resolve().parents[2]


def synthesize(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "cli.synthesize", "你好。", *map(str, args)],
        capture_output=True, timeout=300, cwd=ROOT, **kw,
    )  # fmt: skip


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    return sf.read(io.BytesIO(data), dtype="float32")


def test_a_fifo_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "p.wav"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("data", fifo.read_bytes()))
    reader.start()
    r = synthesize("-o", fifo)
    reader.join(timeout=60)
    assert r.returncode == 0, r.stderr
    assert fifo.is_fifo()  # still a FIFO, not a file put in its place
    audio, rate = read_wav(got["data"])
    assert rate == 22050 and 0.3 < len(audio) / rate < 3 and np.abs(audio).max() > 0.05


def test_standard_output_with_dash(tmp_path):
    r = synthesize("-o", "-")
    assert r.returncode == 0, r.stderr
    audio, rate = read_wav(r.stdout)
    assert rate == 22050 and np.abs(audio).max() > 0.05
    # a text file to standard output: its lines in one stream, the audio of the text they make
    (tmp_path / "x.txt").write_text("你好。\n\n再见。\n", encoding="utf-8")
    r = synthesize("-o", "-", "--text-file", tmp_path / "x.txt")
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "index.tsv").exists()
    lines, _ = read_wav(r.stdout)
    cmd = [sys.executable, "-m", "cli.synthesize", "你好。\n再见。", "-o", "-"]
    one = read_wav(subprocess.run(cmd, capture_output=True, timeout=300, cwd=ROOT).stdout)[0]
    assert len(lines) == len(one) and np.abs(lines - one).max() < 1e-3


def test_a_symlink_is_followed_and_its_target_written(tmp_path):
    target = tmp_path / "target.wav"
    target.write_bytes(b"not audio")
    link = tmp_path / "link.wav"
    link.symlink_to(target)
    refused = synthesize("-o", link)  # the target is not a WAV: not overwritten without --force
    assert refused.returncode == 1 and b"not a WAV" in refused.stderr and target.read_bytes() == b"not audio"
    assert refused.stderr.decode().rstrip().endswith("(pass --force to overwrite it)")  # a whole sentence
    r = synthesize("-o", link, "--force")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    audio, rate = sf.read(target)
    assert rate == 22050 and len(audio) > 0.3 * rate


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mount], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        r = synthesize("-o", mount / "out.wav")
        assert r.returncode == 1 and b"Traceback" not in r.stderr
        assert (
            r.stderr.decode().strip()
            == f"tts-synthesize: error: cannot write {mount / 'out.wav'}: No space left on device"
        )
        assert list(mount.iterdir()) == []  # no half-written file, no temporary left behind
    finally:
        subprocess.run(["umount", mount])


def test_a_closed_pipe_is_a_write_error(tmp_path):
    fifo = tmp_path / "p.wav"
    os.mkfifo(fifo)

    def read_a_little_and_close():
        with open(fifo, "rb") as f:
            f.read(10)

    reader = threading.Thread(target=read_a_little_and_close)
    reader.start()
    audio = np.zeros(22050 * 20, np.float32)
    with pytest.raises(OSError, match=f"cannot write {fifo}: Broken pipe"), wav_output(fifo, 22050) as write:
        reader.join(timeout=30)
        for _ in range(10):
            write(audio)
    assert fifo.is_fifo()


def test_what_each_target_is(tmp_path):
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "f")
    (tmp_path / "link").symlink_to(tmp_path / "new.wav")
    assert resolve_output("-")[0] == "stdout"
    assert resolve_output(tmp_path / "f") == ("stream", tmp_path / "f")
    assert resolve_output(tmp_path / "link") == ("file", tmp_path / "new.wav")
    assert resolve_output(tmp_path / "x.wav") == ("file", tmp_path / "x.wav")
    with pytest.raises(ValueError, match="is a folder"):
        resolve_output(tmp_path / "d")


def test_a_regular_file_gets_exact_sizes(tmp_path):
    tone = (0.5 * np.sin(np.arange(22050) / 5)).astype(np.float32)
    with wav_output(tmp_path / "a.wav", 22050) as write:
        write(tone[:10000])
        write(tone[10000:])
    audio, rate = sf.read(tmp_path / "a.wav", dtype="float32")
    assert rate == 22050 and np.abs(audio - tone).max() < 1e-4
    assert sf.info(tmp_path / "a.wav").frames == 22050 and [p.name for p in tmp_path.iterdir()] == ["a.wav"]
