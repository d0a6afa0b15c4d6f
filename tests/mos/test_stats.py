"""MOS statistics against known data, and tts-mos report."""

import json
import math
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from mos.stats import load_ratings, mos_ci, summarize


def _anova_ci(y):
    """Independent: two-way ANOVA without replication (raters × sentences, complete)."""
    r, s = y.shape
    g = y.mean()
    ms_r = s * ((y.mean(1) - g) ** 2).sum() / (r - 1)
    ms_s = r * ((y.mean(0) - g) ** 2).sum() / (s - 1)
    ms_e = ((y - y.mean(1, keepdims=True) - y.mean(0, keepdims=True) + g) ** 2).sum() / ((r - 1) * (s - 1))
    var_r, var_s = max(0.0, (ms_r - ms_e) / s), max(0.0, (ms_s - ms_e) / r)
    return g, 1.96 * math.sqrt(var_r / r + var_s / s + ms_e / (r * s))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mos_ci_matches_two_way_anova_on_a_complete_design(seed):
    rng = np.random.default_rng(seed)
    raters, sentences = 6, 8
    y = np.clip(
        np.round(
            3
            + rng.normal(0, 0.7, (raters, 1))
            + rng.normal(0, 0.5, (1, sentences))
            + rng.normal(0, 0.6, (raters, sentences))
        ),
        1,
        5,
    )
    out = mos_ci(
        list(y.ravel()),
        [f"r{i}" for i in range(raters) for _ in range(sentences)],
        [f"s{j}" for _ in range(raters) for j in range(sentences)],
    )
    mos, ci = _anova_ci(y)
    assert out["mos"] == pytest.approx(mos) and out["ci95"] == pytest.approx(ci, rel=1e-6)
    assert out["raters"] == raters and out["sentences"] == sentences and out["n"] == raters * sentences


def test_rater_spread_widens_the_interval():
    sentences = [f"s{j}" for j in range(5)] * 4
    raters = [f"r{i}" for i in range(4) for _ in range(5)]
    same = mos_ci([3, 4, 3, 4, 3] * 4, raters, sentences)
    shifted = mos_ci([s + d for d in (-1, 0, 0, 1) for s in (3, 4, 3, 4, 3)], raters, sentences)
    assert same["mos"] == shifted["mos"] == pytest.approx(3.4)
    assert same["var_rater"] == 0 and shifted["var_rater"] > 0 and shifted["ci95"] > same["ci95"]


def _test(systems=("a", "b")):
    items = [
        {"id": f"{s}{u}", "system": s, "utterance": f"u{u}", "kind": "rating", "expect": None}
        for s in systems
        for u in range(4)
    ]
    items += [
        {"id": "ref", "system": "check_reference", "utterance": "u0", "kind": "check", "expect": [4, 5]},
        {"id": "anc", "system": "check_anchor", "utterance": "u0", "kind": "check", "expect": [1, 2]},
    ]
    return {"systems": list(systems), "items": items}


def _ratings(test, scores, raters=("x", "y", "z")):
    out = []
    for k, r in enumerate(raters):
        for it in test["items"]:
            score = scores[it["system"]] if it["kind"] == "rating" else (5 if it["id"] == "ref" else 1)
            out.append(
                {
                    "rater": r,
                    "item": it["id"],
                    "score": int(np.clip(score + (k % 2), 1, 5)),
                    "plays": 1,
                    "system": it["system"],
                    "utterance": it["utterance"],
                    "kind": it["kind"],
                    "expect": it["expect"],
                }
            )
    return out


def test_attention_check_failures_are_excluded_and_reported():
    test = _test()
    ratings = _ratings(test, {"a": 4, "b": 2})
    for r in ratings:
        if r["rater"] == "z" and r["item"] == "anc":
            r["score"] = 5  # z rated the degraded anchor as excellent
        if r["rater"] == "z" and r["kind"] == "rating":
            r["score"] = 1
    s = summarize(ratings, test)
    assert (
        s["raters"]["failed_attention_checks"] == {"z": ["check_anchor rated 5"]} and s["raters"]["kept"] == 2
    )
    assert s["systems"]["a"]["n"] == 8 and s["systems"]["a"]["mos"] == pytest.approx(4.5)


def test_significance_between_systems():
    test = _test(("a", "b", "c"))
    s = summarize(_ratings(test, {"a": 4, "b": 1, "c": 4}), test)
    by = {(c["a"], c["b"]): c for c in s["comparisons"]}
    assert by[("a", "b")]["significant"] and not by[("a", "c")]["significant"]
    assert by[("a", "b")]["p_bonferroni"] == pytest.approx(min(1.0, 3 * by[("a", "b")]["p"]))


def test_report_from_the_server_database_and_from_downloaded_files(tmp_path):
    test = _test()
    (tmp_path / "test.json").write_text(json.dumps(test), encoding="utf-8")
    ratings = _ratings(test, {"a": 4, "b": 2})
    with sqlite3.connect(tmp_path / "ratings.sqlite") as db:
        db.execute(
            "CREATE TABLE ratings (rater, item, system, utterance, kind, score, plays, client_time, "
            "server_time, remote)"
        )
        db.executemany(
            "INSERT INTO ratings VALUES (?, ?, '', '', '', ?, ?, '', '', '')",
            [(r["rater"], r["item"], r["score"], r["plays"]) for r in ratings],
        )
    r = subprocess.run(
        [sys.executable, "-m", "cli.mos", "report", str(tmp_path)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "mos.json").read_text(encoding="utf-8"))
    assert result["systems"]["a"]["mos"] == pytest.approx(13 / 3) and result["systems"]["b"][
        "mos"
    ] == pytest.approx(7 / 3)
    assert "| a | 4.33 |" in r.stdout and (tmp_path / "mos.png").stat().st_size > 1000
    offline = tmp_path / "offline"
    offline.mkdir()
    (offline / "test.json").write_text(json.dumps(test), encoding="utf-8")
    for rater in ("x", "y", "z"):
        mine = [
            {k: v for k, v in q.items() if k in ("rater", "item", "score", "plays")}
            for q in ratings
            if q["rater"] == rater
        ]
        (offline / f"ratings_{rater}.json").write_text(
            json.dumps({"rater": rater, "ratings": mine}), encoding="utf-8"
        )
    again, _ = load_ratings(offline)
    assert summarize(again, test)["systems"]["a"]["mos"] == pytest.approx(13 / 3)  # the same from the files
    (offline / "ratings_bad.json").write_text("{", encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "cli.mos", "report", str(offline)], capture_output=True, text=True
    )
    assert r.returncode == 1 and "not a ratings file" in r.stderr and "Traceback" not in r.stderr
