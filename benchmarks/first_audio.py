"""Benchmark: how soon the first audio comes, for texts of 10 to 10,000 characters, and
whether memory stays flat on long input.

    python benchmarks/first_audio.py [--model VOICE] [--lengths 10,100,1000,10000]
        [--rss-chars 1000,10000,100000] [--out benchmarks/results/first_audio.json]

- **Warm server**: ``tts-server`` (the shipped voice; its ONNX export when install.sh made
  one) on a free port; ``POST /api/tts`` streamed WAV; first audio = the first body byte
  after the 44-byte header, from sending the request. One client (``--requests`` requests
  per length, in turn), then 4 concurrent clients (4 requests each): p50 and p95.
- **Cold ``tts-synthesize -o -``**: a new process per run, from its start to the first audio
  byte on its standard output.
- **RSS**: ``tts-synthesize --text-file FILE -o -`` (read by a pipe that discards it),
  peak resident memory of the process for each ``--rss-chars``; flat means the audio is
  written as it is made, not held.

Texts are sentences from ``corpus.sentences.sample_sentences`` joined and cut at a sentence
end near each length. Prints a table, checks the issue-46 targets and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from server_client import one_request, percentile, start_server

from corpus.sentences import sample_sentences

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"warm_first_s": 0.1, "warm_share": 0.2, "concurrent_p95_s": 0.3, "cold_first_s": 0.5, "rss_mb": 20}


def text_of(chars: int, seed: int = 5) -> str:
    """Sentences joined up to about ``chars`` characters, each fitting what is left."""
    out, n = [], 0
    for s in sample_sentences(max(400, chars // 8), seed):
        if n + len(s) <= chars:
            out.append(s)
            n += len(s)
        if n > 0.9 * chars:
            break
    return "".join(out) or "你好，今天天气很好。"


def server_rows(port: int, texts: dict[int, str], requests: int) -> dict:
    rows = {}
    for chars, text in texts.items():
        n = 1 if chars >= 10000 else requests
        single = [one_request(port, text) for _ in range(n)]
        with ThreadPoolExecutor(4) as pool:
            concurrent = list(pool.map(lambda _: one_request(port, text), range(4)))
        rows[chars] = {
            "chars": len(text),
            "first_s": statistics.median(r[0] for r in single),
            "total_s": statistics.median(r[1] for r in single),
            "audio_s": single[0][2] / 2 / 22050,
            "concurrent4_first_p50_s": statistics.median(r[0] for r in concurrent),
            "concurrent4_first_p95_s": percentile([r[0] for r in concurrent], 0.95),
            "concurrent4_total_p50_s": statistics.median(r[1] for r in concurrent),
        }
        r = rows[chars]
        print(f"  server {chars:>6} chars: first {r['first_s']:.3f} s of {r['total_s']:.2f} s", flush=True)
    return rows


def cold_first_byte(text: str, model: str | None) -> float:
    """Seconds from starting ``tts-synthesize TEXT -o -`` to its first audio byte."""
    cmd = [sys.executable, "-m", "cli.synthesize", text, "-o", "-"] + (["--model", model] if model else [])
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    header = proc.stdout.read(44)
    first = proc.stdout.read(1)
    t = time.perf_counter() - t0
    proc.stdout.read()
    if proc.wait() != 0 or len(header) < 44 or not first:
        raise RuntimeError("tts-synthesize failed")
    return t


def peak_rss_mb(text: str, model: str | None) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``tts-synthesize --text-file F -o -`` on ``text``, one
    sentence a line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "text.txt"
        path.write_text(text.replace("。", "。\n"), encoding="utf-8")
        script = (
            "import resource, subprocess, sys\n"
            "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
            "while p.stdout.read(1 << 20): pass\n"
            "sys.exit(p.wait() or print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
        )
        cmd = [sys.executable, "-m", "cli.synthesize", "--text-file", str(path), "-o", "-"]
        cmd += ["--model", model] if model else []
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", script, *cmd], cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"tts-synthesize --text-file failed: {out.stderr[-300:]}")
        return int(out.stdout.split()[-1]) / 1024, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="voice folder or export (default: the shipped voice)")
    ap.add_argument("--lengths", default="10,100,1000,10000")
    ap.add_argument("--requests", type=int, default=3, help="one-client requests per length (10,000: 1)")
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--rss-chars", default="1000,10000,100000", help="'' skips the memory runs")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "first_audio.json"))
    args = ap.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    texts = {n: text_of(n) for n in lengths}

    proc, port, backend, _ = start_server(args.model, workers=4, queue=64, max_chars=2 * max(lengths))
    try:
        one_request(port, "你好。")  # warm-up
        server = server_rows(port, texts, args.requests)
    finally:
        proc.terminate()
        proc.wait(120)
    cold = [cold_first_byte(texts[lengths[0]], args.model) for _ in range(args.cold_runs)]
    print(f"  cold tts-synthesize -o -: first audio {statistics.median(cold):.3f} s", flush=True)
    rss = {}
    for chars in (int(x) for x in args.rss_chars.split(",") if x):
        mb, seconds = peak_rss_mb(text_of(chars), args.model)
        rss[chars] = {"peak_rss_mb": mb, "seconds": seconds}
        print(f"  --text-file -o -, {chars:>6} chars: peak RSS {mb:.0f} MB ({seconds:.0f} s)", flush=True)

    print(f"\nfirst audio ({backend}; server with 4 workers; {os.cpu_count()} cores)")
    print(f"{'chars':>7} {'first':>7} {'whole':>7} {'share':>6} {'4 clients p50':>14} {'p95':>7}")
    for r in server.values():
        print(
            f"{r['chars']:7d} {r['first_s']:7.3f} {r['total_s']:7.2f} {r['first_s'] / r['total_s']:6.2f} "
            f"{r['concurrent4_first_p50_s']:14.3f} {r['concurrent4_first_p95_s']:7.3f}"
        )
    checks = {
        "warm first audio <= 0.1 s at every length": max(r["first_s"] for r in server.values())
        <= TARGETS["warm_first_s"],
        "warm first audio <= 0.2 x whole answer (>= 100 chars)": all(
            r["first_s"] <= TARGETS["warm_share"] * r["total_s"] for c, r in server.items() if c >= 100
        ),
        "4 concurrent streams: p95 first audio <= 0.3 s": max(
            r["concurrent4_first_p95_s"] for r in server.values()
        )
        <= TARGETS["concurrent_p95_s"],
        "cold tts-synthesize -o -: first byte <= 0.5 s": statistics.median(cold) <= TARGETS["cold_first_s"],
    }
    if len(rss) > 1:
        spread = max(r["peak_rss_mb"] for r in rss.values()) - min(r["peak_rss_mb"] for r in rss.values())
        checks[f"RSS flat within 20 MB ({min(rss)}-{max(rss)} chars: {spread:.0f} MB)"] = (
            spread <= TARGETS["rss_mb"]
        )
    for name, ok in checks.items():
        print(f"{'met   ' if ok else 'MISSED'} {name}")
    result = {
        "command": "python benchmarks/first_audio.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "backend": backend,
        "server_workers": 4,
        "server": server,
        "cold_first_byte_s": cold,
        "rss": rss,
        "targets": TARGETS,
        "checks": checks,
        "self_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
