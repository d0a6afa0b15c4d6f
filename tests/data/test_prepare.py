"""tts-prepare: cached features, statistics, resume, bad files, the command line."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.data.items import load_item
from core.data.prepare import prepare
from core.features import FeatureConfig
from frontend import DEFAULT_TABLE, Frontend


@pytest.fixture(scope="module")
def prepared(tiny_corpus, tmp_path_factory):
    data, _ = tiny_corpus
    out = tmp_path_factory.mktemp("feats")
    summary = prepare(data, out, jobs=2, progress=False)
    return data, out, summary


def test_every_utterance_is_cached(prepared):
    data, out, summary = prepared
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert summary["utterances"] == len(index) == 12 and not summary["problems"]
    for rec in index:
        item = load_item(out, rec["id"])
        frames = item["mel"].shape[1]
        assert rec["frames"] == frames == len(item["f0"]) == len(item["energy"]) == len(item["voiced"])
        assert item["symbols"].dtype == np.int16 and len(item["symbols"]) == rec["symbols"]
        expected = [i for u in Frontend()(rec["text"]) for i in DEFAULT_TABLE.encode(u.symbols)]
        assert item["symbols"].tolist() == expected
        assert DEFAULT_TABLE.decode(item["symbols"].tolist())[-1] == "#4"
    assert (
        json.loads((out / "symbols.json").read_text(encoding="utf-8"))["checksum"] == DEFAULT_TABLE.checksum
    )


def test_stats_match_the_cached_training_features(prepared):
    _, out, _ = prepared
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    train = [load_item(out, r["id"]) for r in index if r["split"] == "train"]
    mel = np.concatenate([t["mel"] for t in train], axis=1)
    f0 = np.concatenate([t["f0"][t["voiced"]] for t in train])
    energy = np.concatenate([t["energy"] for t in train])
    stats = json.loads((out / "stats.json").read_text())
    np.testing.assert_allclose(stats["mel_mean"], mel.mean(1), atol=1e-4)
    np.testing.assert_allclose(stats["mel_std"], mel.std(1), rtol=1e-3)
    assert stats["f0_mean"] == pytest.approx(f0.mean(), rel=1e-5)
    assert stats["log_f0_std"] == pytest.approx(np.log(f0).std(), rel=1e-4)
    assert stats["energy_mean"] == pytest.approx(energy.mean(), rel=1e-5)
    assert 60 < stats["f0_mean"] < 400


def test_second_run_computes_only_what_is_missing(prepared, tmp_path):
    data, out, _ = prepared
    copy = tmp_path / "feats"
    shutil.copytree(out, copy)
    kept = sorted((copy / "items").iterdir())
    mtimes = {p.name: p.stat().st_mtime_ns for p in kept}
    kept[0].unlink()
    summary = prepare(data, copy, jobs=1, progress=False)
    assert summary["computed"] == 1 and summary["utterances"] == 12
    for p in kept[1:]:
        assert p.stat().st_mtime_ns == mtimes[p.name]
    assert prepare(data, copy, jobs=1, progress=False)["computed"] == 0


def test_other_config_in_same_folder_is_refused(prepared):
    data, out, _ = prepared
    with pytest.raises(ValueError, match="n_mels"):
        prepare(data, out, FeatureConfig(n_mels=64), progress=False)


def test_bad_files_are_reported_and_the_rest_prepared(tiny_corpus, tmp_path):
    data, _ = tiny_corpus
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    wavs = sorted((copy / "wavs").iterdir())
    wavs[0].write_bytes(b"not audio at all")  # corrupt
    wavs[1].unlink()  # missing
    with open(copy / "metadata.csv", "a", encoding="utf-8") as f:
        f.write("broken|line\n")
    summary = prepare(copy, tmp_path / "feats", jobs=2, progress=False)
    assert summary["utterances"] == 10
    problems = "\n".join(summary["problems"])
    assert wavs[0].stem in problems and "cannot read" in problems
    assert "audio file missing" in problems and "metadata.csv:13" in problems
    assert (tmp_path / "feats" / "problems.txt").read_text(encoding="utf-8").count("\n") == 3


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "cli.prepare", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_cli_end_to_end_and_errors(tiny_corpus, tmp_path):
    data, _ = tiny_corpus
    cfg = tmp_path / "c.yaml"
    cfg.write_text("features:\n  n_mels: 64\n", encoding="utf-8")
    # a corpus given relative to the working folder: the index still finds its audio from anywhere
    r = run_cli(
        "--data",
        data.name,
        "--config",
        str(cfg),
        "--out",
        str(tmp_path / "f"),
        "--jobs",
        "2",
        cwd=data.parent,
    )
    assert r.returncode == 0, r.stderr
    assert "12 utterances" in r.stdout
    for rec in json.loads((tmp_path / "f" / "index.json").read_text()):
        assert Path(rec["audio"]).is_absolute() and Path(rec["audio"]).is_file()
    assert (
        load_item(tmp_path / "f", json.loads((tmp_path / "f" / "index.json").read_text())[0]["id"])[
            "mel"
        ].shape[0]
        == 64
    )
    for args, message in [
        (["--data", str(tmp_path / "nope"), "--out", str(tmp_path / "g")], "not found"),
        (["--data", str(data), "--out", str(tmp_path / "g"), "--set", "features.n_melz=3"], "unknown key"),
        (
            ["--data", str(data), "--out", str(tmp_path / "g"), "--set", "features.n_mels=many"],
            "expected int",
        ),
        (
            ["--data", str(data), "--out", str(tmp_path / "g"), "--config", str(tmp_path / "none.yaml")],
            "cannot read",
        ),
    ]:
        r = run_cli(*args)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
