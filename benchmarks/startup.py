"""Benchmark: process start to WAV written, and real-time factor, for the PyTorch path and
the torch-free ONNX path (``synthesis.deploy.onnx_runtime``) of the same voice, in one run.

    python benchmarks/startup.py [--model VOICE_DIR] [--repeats 5]

Each measurement is a fresh process running ``tts-synthesize`` (``python -m cli.synthesize``):

- start: wall time from launching the process until it has exited with the WAV of a
  10-character sentence written (the median of --repeats), and its peak resident memory;
- cold start: the same once with an empty frontend cache (``MANDARIN_TTS_CACHE`` pointed at a
  new folder, so jieba's word-frequency table is built first), ONNX path;
- paragraph: the real-time factor the command itself reports (--verbose: frontend, acoustic
  model and vocoder seconds over seconds of audio) for a 200-character paragraph, and the
  process's peak resident memory.

The voice (default: the shipped one) is exported to ONNX in a temporary folder first. Both
paths use Griffin-Lim and each library's default thread count. Prints a table and writes
JSON (default benchmarks/results/startup.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHORT = "今天天气很好，我们走。"  # 10 characters (and the full stop)
PARAGRAPH = (
    "春天来了，公园里的花都开了。小朋友们在草地上放风筝，老人们在树下下棋。"
    "湖边的柳树发出了新芽，微风吹过，水面上泛起一层层波纹。周末的时候，"
    "很多家庭会带着孩子来这里散步、野餐，享受难得的好天气。到了傍晚，"
    "夕阳把天空染成了橙红色，人们才恋恋不舍地回家。明天的天气预报说还是晴天，"
    "气温在十五度到二十三度之间，非常适合出门游玩。"
    "下个星期一早上八点，学校门口又会挤满送孩子上学的家长和老师们，热闹极了。"
)


def run_once(args: list[str], env=None) -> tuple[float, int, str]:
    """A fresh ``tts-synthesize`` process → (wall seconds, peak RSS in MB, its stderr)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [sys.executable, "-m", "cli.synthesize", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit(f"tts-synthesize {' '.join(args)} failed: {err}")
    return wall, usage.ru_maxrss // 1024, err


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(ROOT / "tts" / "voices" / "default"), help="voice folder")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "startup.json"))
    args = ap.parse_args()
    assert len(SHORT) == 11 and 195 <= len(PARAGRAPH) <= 205, (len(SHORT), len(PARAGRAPH))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cli.export",
                "--model",
                args.model,
                "--format",
                "onnx",
                "--out",
                tmp / "onnx",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        paths = {
            "torch": ["--model", args.model, "--backend", "torch"],
            "onnx (no torch)": ["--model", str(tmp / "onnx")],
        }
        rows = {}
        for name, model in paths.items():
            out = str(tmp / "out.wav")
            run_once([SHORT, "-o", out, *model])  # warm the page cache and the frontend's cache
            starts, peaks = [], []
            for _ in range(args.repeats):
                wall, peak, _ = run_once([SHORT, "-o", out, *model])
                starts.append(wall)
                peaks.append(peak)
            _, para_peak, err = run_once([PARAGRAPH, "-o", out, "--verbose", *model])
            rtf = float(re.search(r"real-time factor ([0-9.]+)", err).group(1))
            parts = re.search(r"frontend ([0-9.]+) s, acoustic ([0-9.]+) s, griffin-lim ([0-9.]+) s", err)
            audio = float(re.search(r"([0-9.]+) s of audio", err).group(1))
            rows[name] = {
                "start_to_wav_s": statistics.median(starts),
                "start_to_wav_all_s": starts,
                "start_peak_rss_mb": max(peaks),
                "paragraph_rtf": rtf,
                "paragraph_audio_s": audio,
                "paragraph_frontend_s": float(parts.group(1)),
                "paragraph_acoustic_s": float(parts.group(2)),
                "paragraph_vocoder_s": float(parts.group(3)),
                "paragraph_peak_rss_mb": para_peak,
            }
        cold_env = {**os.environ, "MANDARIN_TTS_CACHE": str(tmp / "empty-cache")}
        cold, _, _ = run_once([SHORT, "-o", str(tmp / "out.wav"), *paths["onnx (no torch)"]], cold_env)
        rows["onnx (no torch)"]["cold_cache_start_to_wav_s"] = cold

    print(
        f"{'path':18} {'start→WAV s':>12} {'peak MB':>8} {'paragraph RTF':>14} "
        f"{'(fe/ac/voc s)':>18} {'peak MB':>8}"
    )
    for name, r in rows.items():
        split = (
            f"{r['paragraph_frontend_s']:.2f}/{r['paragraph_acoustic_s']:.2f}/{r['paragraph_vocoder_s']:.2f}"
        )
        print(
            f"{name:18} {r['start_to_wav_s']:12.2f} {r['start_peak_rss_mb']:8d} {r['paragraph_rtf']:14.3f} "
            f"{split:>18} {r['paragraph_peak_rss_mb']:8d}"
        )
    print(f"ONNX path with an empty frontend cache (first run after install): {cold:.2f} s")
    result = {
        "command": "python benchmarks/startup.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "short_text": SHORT,
        "paragraph_chars": len(PARAGRAPH),
        "repeats": args.repeats,
        "paths": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
