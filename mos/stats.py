"""From ratings to MOS: attention checks, confidence intervals, significance.

- Raters who fail an attention check (a check item rated outside its expected range) are
  left out entirely, and reported.
- MOS of a system: the mean of its ratings. Its 95% confidence interval accounts for both
  raters and sentences (as CrowdMOS, Ribeiro et al. 2011): an additive model
  score = μ + rater effect + sentence effect + residual is fitted by alternating means;
  σ²_e = Σ residual² / (N − R − S + 1); σ²_r = max(0, var(rater effects) − σ²_e / n̄_r),
  σ²_s = max(0, var(sentence effects) − σ²_e / n̄_s) (n̄: mean ratings per rater / per
  sentence; these are the ANOVA estimators for a complete design);
  Var(MOS) = σ²_r / R + σ²_s / S + σ²_e / N; CI = ±1.96·sqrt(Var(MOS)).
- Significance between two systems: two-sided Mann–Whitney U test on their ratings,
  Bonferroni-corrected over all pairs; significant when the corrected p < 0.05.
"""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from pathlib import Path

import numpy as np
from scipy import stats


def load_ratings(source: Path, test: dict | None = None) -> tuple[list[dict], dict]:
    """Ratings from a test folder (its SQLite), a SQLite file, or downloaded JSON files
    (a file, or a folder of ``ratings_*.json``). Returns (ratings, test description)."""
    source = Path(source)
    if not source.exists():
        raise ValueError(f"{source}: not found")
    folder = source if source.is_dir() else source.parent
    if test is None:
        path = folder / "test.json"
        if not path.is_file():
            raise ValueError(f"{folder}: no test.json beside the ratings")
        test = json.loads(path.read_text(encoding="utf-8"))
    items = {it["id"]: it for it in test["items"]}
    files = (
        (
            [source / "ratings.sqlite"]
            if (source / "ratings.sqlite").exists()
            else sorted(source.glob("ratings_*.json"))
        )
        if source.is_dir()
        else [source]
    )
    if not files:
        raise ValueError(f"{source}: no ratings.sqlite and no ratings_*.json files")
    raw = []
    for f in files:
        if f.suffix == ".sqlite":
            with sqlite3.connect(f) as db:
                raw += [
                    dict(zip(("rater", "item", "score", "plays"), row))
                    for row in db.execute("SELECT rater, item, score, plays FROM ratings")
                ]
        else:
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
                raw += [{k: r[k] for k in ("rater", "item", "score", "plays")} for r in data["ratings"]]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{f}: not a ratings file ({err})") from None
    ratings, seen = [], set()
    for r in raw:
        item = items.get(r["item"])
        if item is None or (r["rater"], r["item"]) in seen or r["score"] not in (1, 2, 3, 4, 5):
            continue  # unknown, repeated or invalid: not counted
        seen.add((r["rater"], r["item"]))
        ratings.append(
            {
                **r,
                "system": item["system"],
                "utterance": item["utterance"],
                "kind": item["kind"],
                "expect": item.get("expect"),
            }
        )
    return ratings, test


def failed_raters(ratings: list[dict]) -> dict[str, list[str]]:
    """Rater → the check items they rated outside the expected range."""
    failed: dict[str, list[str]] = {}
    for r in ratings:
        if r["kind"] == "check" and not (r["expect"][0] <= r["score"] <= r["expect"][1]):
            failed.setdefault(r["rater"], []).append(f"{r['system']} rated {r['score']}")
    return failed


def mos_ci(scores: list[int], raters: list[str], sentences: list[str]) -> dict:
    """MOS and its 95% CI accounting for raters and sentences (see the module docstring)."""
    y = np.asarray(scores, dtype=np.float64)
    n = len(y)
    if n == 0:
        return {"mos": float("nan"), "ci95": float("nan"), "n": 0, "raters": 0, "sentences": 0}
    ri = {r: i for i, r in enumerate(sorted(set(raters)))}
    si = {s: i for i, s in enumerate(sorted(set(sentences)))}
    r_idx = np.array([ri[r] for r in raters])
    s_idx = np.array([si[s] for s in sentences])
    n_r, n_s = len(ri), len(si)
    mu = y.mean()
    a, b = np.zeros(n_r), np.zeros(n_s)
    for _ in range(50):  # alternating means for the additive fit
        a = np.bincount(r_idx, y - mu - b[s_idx], n_r) / np.bincount(r_idx, minlength=n_r)
        a -= a.mean()
        b = np.bincount(s_idx, y - mu - a[r_idx], n_s) / np.bincount(s_idx, minlength=n_s)
        b -= b.mean()
    resid = y - mu - a[r_idx] - b[s_idx]
    dof = n - n_r - n_s + 1
    var_e = float((resid**2).sum() / dof) if dof > 0 else float(y.var(ddof=1) if n > 1 else 0.0)
    var_r = max(0.0, float(a.var(ddof=1)) - var_e / (n / n_r)) if n_r > 1 else 0.0
    var_s = max(0.0, float(b.var(ddof=1)) - var_e / (n / n_s)) if n_s > 1 else 0.0
    var_mos = var_r / n_r + var_s / n_s + var_e / n
    return {
        "mos": float(mu),
        "ci95": 1.96 * math.sqrt(var_mos) if n > 1 else float("nan"),
        "n": n,
        "raters": n_r,
        "sentences": n_s,
        "var_rater": var_r,
        "var_sentence": var_s,
        "var_residual": var_e,
    }


def summarize(ratings: list[dict], test: dict) -> dict:
    failed = failed_raters(ratings)
    kept = [r for r in ratings if r["rater"] not in failed and r["kind"] == "rating"]
    systems = {}
    for name in test["systems"]:
        rs = [r for r in kept if r["system"] == name]
        systems[name] = mos_ci(
            [r["score"] for r in rs], [r["rater"] for r in rs], [r["utterance"] for r in rs]
        )
    pairs = list(itertools.combinations([s for s in systems if systems[s]["n"] > 0], 2))
    comparisons = []
    for x, y in pairs:
        sx = [r["score"] for r in kept if r["system"] == x]
        sy = [r["score"] for r in kept if r["system"] == y]
        p = (
            float(stats.mannwhitneyu(sx, sy, alternative="two-sided").pvalue)
            if len(set(sx + sy)) > 1
            else 1.0
        )
        p_corrected = min(1.0, p * len(pairs))
        comparisons.append(
            {"a": x, "b": y, "p": p, "p_bonferroni": p_corrected, "significant": p_corrected < 0.05}
        )
    return {
        "systems": systems,
        "comparisons": comparisons,
        "raters": {
            "total": len({r["rater"] for r in ratings}),
            "kept": len({r["rater"] for r in kept}),
            "failed_attention_checks": failed,
        },
        "ratings": {"total": len(ratings), "used": len(kept)},
    }
