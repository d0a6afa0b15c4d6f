"""tts-mos build and serve: the test folder, and a real HTTP server under concurrent raters."""

import json
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from mos.build import TARGET_LUFS, build_test


def post(url, body, raw=False):
    data = body if raw else json.dumps(body).encode()
    req = urllib.request.Request(url + "api/ratings", data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def test_build_makes_a_blind_loudness_normalized_test(test_dir, systems):
    test = json.loads((test_dir / "test.json").read_text(encoding="utf-8"))
    ratings = [it for it in test["items"] if it["kind"] == "rating"]
    checks = [it for it in test["items"] if it["kind"] == "check"]
    assert len(ratings) == 2 * 4 and {c["system"] for c in checks} == {"check_reference", "check_anchor"}
    for it in test["items"]:
        audio, rate = sf.read(test_dir / it["audio"])
        assert pyloudnorm.Meter(rate, block_size=0.4).integrated_loudness(audio) == pytest.approx(
            TARGET_LUFS, abs=0.5
        )
        assert it["system"] not in it["audio"] and it["utterance"] not in it["audio"]
    page_data = (test_dir / "test_data.js").read_text(encoding="utf-8")
    assert "lowpass" not in page_data and "check_anchor" not in page_data and "expect" not in page_data
    for f in ("index.html", "app.js", "style.css"):
        assert (test_dir / f).stat().st_size > 100


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"reference": "nope"}, "not one of the systems"),
        ({"systems": {"bad name": None}}, "use letters"),
        ({"systems": {"x": "/nonexistent"}}, "not a folder"),
    ],
)
def test_build_rejects_bad_input(systems, tmp_path, kwargs, message):
    chosen = kwargs.pop("systems", systems)
    with pytest.raises(ValueError, match=message):
        build_test(
            {k: (v if v is not None else tmp_path) for k, v in chosen.items()}, tmp_path / "t", **kwargs
        )


def test_build_cli_errors_are_one_line(tmp_path, systems):
    (tmp_path / "other").mkdir()
    sf.write(tmp_path / "other" / "zzz.wav", np.zeros(2205, np.float32) + 0.1, 22050)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.mos",
            "build",
            "--system",
            f"a={systems['ref']}",
            "--system",
            f"b={tmp_path / 'other'}",
            "--out",
            str(tmp_path / "t"),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1 and "no utterance" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_fifty_concurrent_raters_lose_no_rating(server, test_dir):
    items = [it["id"] for it in json.loads((test_dir / "test.json").read_text(encoding="utf-8"))["items"]]

    def rater(k):
        return [
            post(
                server.url,
                {"rater": f"r{k:02d}", "item": i, "score": 1 + (k + j) % 5, "plays": 1, "client_time": "t"},
            )
            for j, i in enumerate(items)
        ]

    with ThreadPoolExecutor(50) as pool:
        codes = [c for codes in pool.map(rater, range(50)) for c in codes]
    assert codes.count(201) == 50 * len(items)
    with sqlite3.connect(test_dir / "ratings.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] == 50 * len(items)
        assert db.execute("SELECT COUNT(DISTINCT rater) FROM ratings").fetchone()[0] == 50


def test_bad_submissions_are_rejected_and_logged(server, test_dir):
    item = json.loads((test_dir / "test.json").read_text(encoding="utf-8"))["items"][0]["id"]
    good = {"rater": "alice", "item": item, "score": 4, "plays": 1}
    assert post(server.url, b"{not json", raw=True) == 400
    assert post(server.url, b"[1, 2]", raw=True) == 400
    for bad in (
        {"score": 0},
        {"score": 6},
        {"score": "5"},
        {"score": True},
        {"score": 4.5},
        {"plays": 0},
        {"rater": "a b"},
        {"rater": ""},
        {"rater": "x" * 65},
    ):
        assert post(server.url, {**good, **bad}) == 400, bad
    assert post(server.url, {**good, "item": "0123456789ab"}) == 404
    assert post(server.url, good) == 201
    assert post(server.url, {**good, "score": 2}) == 409  # a second rating of the same item
    with sqlite3.connect(test_dir / "ratings.sqlite") as db:
        assert db.execute("SELECT rater, score, plays FROM ratings").fetchall() == [("alice", 4, 1)]
    log = (test_dir / "rejections.log").read_text(encoding="utf-8")
    assert log.count("rejected") == 13 and "already rated" in log


def test_nothing_outside_the_page_and_audio_is_served(server, test_dir):
    status, body = get(server.url)
    assert status == 200 and b"<audio" in body
    assert get(server.url + "test_data.js")[0] == 200
    audio = json.loads((test_dir / "test.json").read_text(encoding="utf-8"))["items"][0]["audio"]
    assert get(server.url + audio)[0] == 200
    secret = (test_dir / "test.json").read_bytes()[:50]
    for path in (
        "test.json",
        "ratings.sqlite",
        "rejections.log",
        "audio/../test.json",
        "audio/%2e%2e/test.json",
        "audio/..%2ftest.json",
        "%2e%2e/%2e%2e/etc/passwd",
        "audio/",
        "static/../test.json",
    ):
        status, body = get(server.url + path)
        assert status in (403, 404), path
        assert secret not in body and b"root:" not in body


def test_hostile_submissions_get_4xx_and_a_log_line(server, test_dir):
    """Issue 17: a rater with a trailing newline rated twice; huge plays and deep nesting
    gave HTTP 500 with a traceback and no line in rejections.log."""
    item = json.loads((test_dir / "test.json").read_text(encoding="utf-8"))["items"][1]["id"]
    before = (
        (test_dir / "rejections.log").read_text(encoding="utf-8").count("rejected")
        if (test_dir / "rejections.log").exists()
        else 0
    )
    assert post(server.url, {"rater": "bob", "item": item, "score": 3, "plays": 1}) == 201
    assert post(server.url, {"rater": "bob\n", "item": item, "score": 3, "plays": 1}) == 400
    assert post(server.url, {"rater": "carol", "item": item, "score": 3, "plays": 2**63}) == 400
    assert post(server.url, b"[" * 8000 + b"]" * 8000, raw=True) == 400
    with sqlite3.connect(test_dir / "ratings.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM ratings WHERE item = ?", (item,)).fetchone()[0] == 1
    log = (test_dir / "rejections.log").read_text(encoding="utf-8")
    assert log.count("rejected") - before == 3 and "Traceback" not in log


def test_item_ids_do_not_follow_from_system_names(systems, tmp_path):
    """Issue 17: ids were sha1(system, utterance, kind), so guessing system names unblinded the test."""
    import hashlib

    a = build_test(systems, tmp_path / "a", reference="ref")
    b = build_test(systems, tmp_path / "b", reference="ref")
    ids_a = {(it["system"], it["utterance"]): it["id"] for it in a["items"]}
    ids_b = {(it["system"], it["utterance"]): it["id"] for it in b["items"]}
    assert set(ids_a.values()).isdisjoint(ids_b.values())  # a secret per test
    guess = {hashlib.sha1("\x00".join(k + ("rating",)).encode()).hexdigest()[:12] for k in ids_a}
    assert guess.isdisjoint(ids_a.values())
    assert "secret" not in (tmp_path / "a" / "test_data.js").read_text(encoding="utf-8")


def test_build_refuses_a_folder_holding_something_else(systems, tmp_path):
    """Issue 17: --out EXISTING overwrote the folder's index.html and mixed tests."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("my page", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty"):
        build_test(systems, tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "my page"
    first = build_test(systems, tmp_path / "t", reference="ref")
    again = build_test(systems, tmp_path / "t", reference="ref")  # the same test: rebuilt in place
    assert [it["id"] for it in first["items"]] == [it["id"] for it in again["items"]]
    with pytest.raises(ValueError, match="not empty"):
        build_test({"ref": systems["ref"]}, tmp_path / "t")  # another test
