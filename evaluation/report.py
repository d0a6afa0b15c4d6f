"""The evaluation report: ``report.json`` (every figure) and ``report.html`` (tables, plots,
audio players; a folder that reads offline)."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import numpy as np

from .evaluate import METRICS, finite

LABELS = {
    "mcd_db": (
        "MCD-DTW",
        "dB",
        "cepstrum (1/N-scaled DCT-II) of the natural-log mel amplitude, c1–c24 (c0 excluded), "
        "(10/ln10)·sqrt(2·Σ(Δc)²) per DTW-aligned frame pair, symmetric DTW (steps 1,0 / 0,1 / 1,1)",
    ),
    "log_f0_rmse_cents": ("log-F0 RMSE", "cents", "1200·log2 ratio on aligned pairs voiced in both (YIN)"),
    "vuv_error": ("voiced/unvoiced error", "share", "aligned pairs whose voicing differs"),
    "mel_l1": ("mel L1", "nats", "mean |Δ log mel| over aligned pairs and 80 bands"),
    "mel_cosine": ("mel cosine similarity", "", "mean per-pair cosine of linear mel amplitudes"),
    "duration_ratio": ("duration ratio", "syn/ref", "after trimming silence at both ends"),
}


def write_report(report: dict, out: Path, title: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    details = report.pop("details", [])
    (out / "plots").mkdir(exist_ok=True)
    plots = _plots(report, details, out / "plots")
    tmp = out / ".report.json.tmp"
    tmp.write_text(json.dumps(finite(report), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, out / "report.json")
    page = _html(report, plots, title, out)
    tmp = out / ".report.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out / "report.html")
    return out / "report.html"


def _plots(report: dict, details: list[dict], folder: Path) -> dict[str, list[str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made: dict[str, list[str]] = {"histograms": [], "utterances": []}
    rows = report["utterances"]
    names = [m for m in ("mcd_db", "log_f0_rmse_cents", "mel_l1", "duration_ratio")]
    if any("cer_synthesized" in r for r in rows):
        names.append("cer_synthesized")
    for m in names:
        values = [r[m] for r in rows if r.get(m) is not None and np.isfinite(r[m])]
        if not values:
            continue
        fig, ax = plt.subplots(figsize=(4, 2.6))
        ax.hist(values, bins=min(20, max(5, len(values) // 3)), color="#4c72b0")
        ax.set_title(LABELS.get(m, (m,))[0] if m in LABELS else "recognizer error rate (synthesized)")
        ax.set_ylabel("utterances")
        fig.tight_layout()
        fig.savefig(folder / f"hist_{m}.png", dpi=90)
        plt.close(fig)
        made["histograms"].append(f"plots/hist_{m}.png")
    for d in details:
        ref, syn, path = d["reference"], d["synthesized"], d["path"]
        n = 3 if d.get("alignment") is not None else 2
        fig, axes = plt.subplots(n + 1, 1, figsize=(8, 2.2 * (n + 1)))
        for ax, a, name in ((axes[0], ref, "reference"), (axes[1], syn, "synthesized")):
            ax.imshow(a.mel, origin="lower", aspect="auto", cmap="magma")
            ax.set_title(f"{d['id']}: {name} log mel")
        ax = axes[2]
        f_ref = np.where(ref.voiced[path[:, 0]], ref.f0[path[:, 0]], np.nan)
        f_syn = np.where(syn.voiced[path[:, 1]], syn.f0[path[:, 1]], np.nan)
        ax.plot(f_ref, label="reference", lw=1)
        ax.plot(f_syn, label="synthesized", lw=1)
        ax.set_title("F0 on the DTW path (Hz)")
        ax.legend(loc="upper right", fontsize=7)
        if n == 3:
            axes[3].imshow(d["alignment"].T, origin="lower", aspect="auto", cmap="viridis")
            axes[3].set_title("attention alignment (decoder step × symbol)")
        fig.tight_layout()
        fig.savefig(folder / f"utt_{d['id']}.png", dpi=80)
        plt.close(fig)
        made["utterances"].append(f"plots/utt_{d['id']}.png")
    return made


def _fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _html(report: dict, plots: dict, title: str, out: Path) -> str:
    e = html.escape
    parts = [
        f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
        "font-size:14px}th{background:#f3f3f3}img{max-width:100%}audio{height:28px}.disagree{background:#fff3cd;padding:6px}</style>",
        f"<h1>{e(title)}</h1><p>{e(report.get('mode', ''))}</p>",
    ]
    parts.append(
        "<h2>Aggregate (mean ± 95% confidence interval over utterances)</h2><table>"
        "<tr><th>metric</th><th>mean</th><th>± 95% CI</th><th>n</th><th>unit</th><th>definition</th></tr>"
    )
    for m in METRICS:
        a = report["aggregate"][m]
        label, unit, definition = LABELS[m]
        parts.append(
            f"<tr><td>{e(label)}</td><td>{_fmt(a['mean'])}</td><td>{_fmt(a['ci95'])}</td>"
            f"<td>{a['n']}</td><td>{e(unit)}</td><td>{e(definition)}</td></tr>"
        )
    parts.append("</table>")
    intel = report.get("intelligibility") or {}
    whisper = report.get("whisper") or {}
    if "cer_reference" in intel or "cer_reference" in whisper:
        parts.append(
            "<h2>Intelligibility: two judges</h2><table><tr><th></th><th>recognizer, toned syllables</th>"
            "<th>recognizer, tones ignored</th><th>Whisper base, toneless syllables</th>"
            "<th>Whisper base, characters</th></tr>"
        )
        for side, label in (("reference", "reference recordings"), ("synthesized", "synthesized speech")):
            parts.append(
                f"<tr><td>{label}</td><td>{_fmt(intel.get(f'cer_{side}'), 4)}</td>"
                f"<td>{_fmt(intel.get(f'cer_{side}_toneless'), 4)}</td>"
                f"<td>{_fmt(whisper.get(f'syllable_error_toneless_{side}'), 4)}</td>"
                f"<td>{_fmt(whisper.get(f'cer_{side}'), 4)}</td></tr>"
            )
        parts.append("</table>")
        for line in report.get("disagreements", []):
            parts.append(f"<p class='disagree'><strong>Warning:</strong> {e(line)}.</p>")
        if "definition" in intel:
            parts.append(f"<p>Recognizer: {e(intel['definition'])}; {e(intel['recognizer'])}.</p>")
        if "definition" in whisper:
            parts.append(f"<p>{e(whisper['definition'])}. A judge, not a listener.</p>")
    if report.get("rtf"):
        r = report["rtf"]
        parts.append(
            "<h2>Real-time factor</h2><table><tr><th>stage</th><th>RTF</th></tr>"
            + "".join(
                f"<tr><td>{k}</td><td>{_fmt(r[k], 4)}</td></tr>"
                for k in ("acoustic", "vocoder", "end_to_end")
                if k in r
            )
            + f"</table><p>{_fmt(r['audio_seconds'], 1)} s of audio, {r['threads']} threads; "
            f"warm-up: {e(r['warm_up'])}.</p>"
        )
    if plots["histograms"]:
        parts.append(
            "<h2>Distributions</h2>"
            + "".join(f"<img src='{p}' style='width:32%'>" for p in plots["histograms"])
        )
    if plots["utterances"]:
        parts.append("<h2>Examples</h2>" + "".join(f"<img src='{p}'>" for p in plots["utterances"]))
    parts.append(
        "<h2>Utterances</h2><table><tr><th>id</th><th>text</th><th>reference</th><th>synthesized</th>"
        "<th>MCD</th><th>F0 RMSE</th><th>V/UV</th><th>dur.</th><th>CER syn</th><th>Whisper syn</th></tr>"
    )
    for r in report["utterances"]:
        players = []
        for key in ("reference", "synthesized"):
            src = Path(r[key])
            rel = os.path.relpath(src.resolve(), out.resolve()) if src.exists() else r[key]
            players.append(f"<audio controls preload='none' src='{e(rel)}'></audio>")
        parts.append(
            f"<tr><td>{e(r['id'])}</td><td>{e(r.get('text') or '')}</td><td>{players[0]}</td>"
            f"<td>{players[1]}</td><td>{_fmt(r['mcd_db'], 2)}</td><td>{_fmt(r['log_f0_rmse_cents'], 0)}</td>"
            f"<td>{_fmt(r['vuv_error'], 3)}</td><td>{_fmt(r['duration_ratio'], 2)}</td>"
            f"<td>{_fmt(r.get('cer_synthesized'), 3)}</td><td>{_fmt(r.get('whisper_error_synthesized'), 3)}"
            f"<br>{e(r.get('whisper_synthesized') or '')}</td></tr>"
        )
    parts.append("</table>")
    if report.get("skipped"):
        parts.append(
            "<h2>Skipped</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in report["skipped"]) + "</ul>"
        )
    return "\n".join(parts) + "</html>\n"
