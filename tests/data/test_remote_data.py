"""scripts/remote_data.py: a prepared corpus packed small and restored exactly elsewhere."""

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np

from core.data.items import load_item

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "remote_data.py"


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def test_pack_then_unpack_restores_audio_and_features(four_utterances, tmp_path):
    corpus, feats = four_utterances.parent / "data", four_utterances
    r = run("pack", "--corpus", corpus, "--feats", feats, "--out", tmp_path / "pack", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    packed = sum(
        p.stat().st_size for p in (tmp_path / "pack").rglob("*") if p.is_file() and p.parent.name != "check"
    )
    original = sum(p.stat().st_size for p in list(corpus.rglob("*.wav")) + list(feats.rglob("*.npz")))
    assert packed < original / 10  # the few check mels aside (6,000 utterances: 20 MB for 2.3 GB)
    remote = tmp_path / "remote"
    r = run(
        "unpack",
        "--pack",
        tmp_path / "pack",
        "--corpus",
        remote / "corpus",
        "--feats",
        remote / "feats",
        "--jobs",
        2,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 mismatched" in r.stdout
    for wav in sorted(corpus.glob("wavs/*.wav")):
        restored = remote / "corpus" / "wavs" / wav.name
        assert hashlib.sha1(restored.read_bytes()).digest() == hashlib.sha1(wav.read_bytes()).digest()
        a, b = load_item(feats, wav.stem), load_item(remote / "feats", wav.stem)
        assert set(a) == set(b)
        np.testing.assert_allclose(b["mel"], a["mel"], atol=1e-4)
        np.testing.assert_array_equal(b["symbols"], a["symbols"])
        np.testing.assert_allclose(b["f0"], a["f0"], rtol=1e-3)  # stored as float16 in the pack


def test_unpack_reports_audio_that_does_not_match(four_utterances, tmp_path):
    corpus, feats = four_utterances.parent / "data", four_utterances
    assert (
        run("pack", "--corpus", corpus, "--feats", feats, "--out", tmp_path / "pack", cwd=tmp_path).returncode
        == 0
    )
    plans = tmp_path / "pack" / "plans.json"
    plans.write_text(
        plans.read_text(encoding="utf-8").replace('"sha1": "', '"sha1": "0', 1), encoding="utf-8"
    )
    remote = tmp_path / "remote"
    r = run(
        "unpack",
        "--pack",
        tmp_path / "pack",
        "--corpus",
        remote / "corpus",
        "--feats",
        remote / "feats",
        cwd=tmp_path,
    )
    assert r.returncode == 1 and "1 mismatched" in r.stdout
