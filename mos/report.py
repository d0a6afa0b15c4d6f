"""MOS results as JSON, Markdown and a bar plot with 95% confidence intervals."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path


def write_report(summary: dict, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "mos.json", "markdown": out / "mos.md", "plot": out / "mos.png"}
    clean = json.loads(json.dumps(summary, default=float).replace("NaN", "null"))
    _atomic(paths["json"], json.dumps(clean, ensure_ascii=False, indent=1))
    _atomic(paths["markdown"], markdown(summary))
    _plot(summary, paths["plot"])
    return paths


def markdown(summary: dict) -> str:
    lines = [
        "# MOS results",
        "",
        "| system | MOS | ± 95% CI | ratings | raters | sentences |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in sorted(summary["systems"].items(), key=lambda kv: -(kv[1]["mos"] if kv[1]["n"] else -1)):
        ci = "–" if not s["n"] or math.isnan(s["ci95"]) else f"{s['ci95']:.2f}"
        mos = "–" if not s["n"] else f"{s['mos']:.2f}"
        lines.append(f"| {name} | {mos} | {ci} | {s['n']} | {s['raters']} | {s['sentences']} |")
    r = summary["raters"]
    failed = ", ".join(f"{k} ({'; '.join(v)})" for k, v in r["failed_attention_checks"].items()) or "none"
    lines += [
        "",
        f"Raters: {r['total']}, kept {r['kept']}; failed attention checks (excluded): {failed}.",
        "",
    ]
    if summary["comparisons"]:
        lines += ["| A | B | p (Mann–Whitney U) | p (Bonferroni) | significant |", "|---|---|---|---|---|"]
        for c in summary["comparisons"]:
            lines.append(
                f"| {c['a']} | {c['b']} | {c['p']:.4g} | {c['p_bonferroni']:.4g} | "
                f"{'yes' if c['significant'] else 'no'} |"
            )
    lines += ["", "CI: CrowdMOS-style, accounting for rater and sentence variance (mos/stats.py)."]
    return "\n".join(lines) + "\n"


def _plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, s in summary["systems"].items() if s["n"]]
    fig, ax = plt.subplots(figsize=(1.2 * len(names) + 2, 3))
    means = [summary["systems"][n]["mos"] for n in names]
    cis = [0 if math.isnan(summary["systems"][n]["ci95"]) else summary["systems"][n]["ci95"] for n in names]
    ax.bar(names, means, yerr=cis, capsize=6, color="#4c72b0")
    ax.set_ylim(1, 5)
    ax.set_ylabel("MOS (95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
