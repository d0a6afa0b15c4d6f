"""Benchmark: tts-server under concurrent clients on loopback: time to the first audio byte
(p50/p95), time to the whole response, and throughput at 1, 4 and 16 concurrent clients.

    python benchmarks/server.py [--model VOICE] [--workers 2] [--requests 24]

Starts ``tts-server`` (``python -m cli.server``, default: the shipped voice, so its ONNX
export when install.sh made one) on a free port with a queue large enough that nothing is
refused, waits until it answers, then for each concurrency level has that many client threads
send ``--requests`` requests in all to ``POST /api/tts`` (streamed WAV), cycling through
short texts of one and two sentences. First byte: from sending the request to the first byte
of the body (the WAV header goes out with the first sentence's audio). Throughput: requests
and seconds of audio per second of wall time. Prints a table and writes JSON (default
benchmarks/results/server.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from server_client import one_request, percentile, start_server

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ["你好，欢迎使用。", "今天天气很好，我们去公园散步吧。", "请在下午三点以前到达会议室。明天见！"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="voice folder or export (default: the shipped voice)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--requests", type=int, default=24, help="requests per concurrency level")
    ap.add_argument("--levels", default="1,4,16")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "server.json"))
    args = ap.parse_args()
    server, port, backend, started = start_server(args.model, args.workers, queue=64)
    rate = 22050
    rows = {}
    try:
        one_request(port, TEXTS[0])  # warm-up
        for level in (int(x) for x in args.levels.split(",")):
            jobs = [TEXTS[i % len(TEXTS)] for i in range(args.requests)]
            t0 = time.perf_counter()
            with ThreadPoolExecutor(level) as pool:
                results = list(pool.map(lambda t: one_request(port, t), jobs))
            wall = time.perf_counter() - t0
            firsts, totals = [r[0] for r in results], [r[1] for r in results]
            audio_s = sum(r[2] for r in results) / 2 / rate
            rows[level] = {
                "requests": len(results),
                "first_byte_p50_s": statistics.median(firsts),
                "first_byte_p95_s": percentile(firsts, 0.95),
                "total_p50_s": statistics.median(totals),
                "total_p95_s": percentile(totals, 0.95),
                "requests_per_s": len(results) / wall,
                "audio_s_per_s": audio_s / wall,
            }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(120)
    print(f"tts-server ({backend}, {args.workers} workers) started in {started:.2f} s")
    print(
        f"{'clients':>7} {'first byte p50':>15} {'p95':>7} {'total p50':>10} {'p95':>7} "
        f"{'req/s':>7} {'audio s/s':>10}"
    )
    for level, r in rows.items():
        print(
            f"{level:7d} {r['first_byte_p50_s']:15.3f} {r['first_byte_p95_s']:7.3f} {r['total_p50_s']:10.3f} "
            f"{r['total_p95_s']:7.3f} {r['requests_per_s']:7.2f} {r['audio_s_per_s']:10.1f}"
        )
    result = {
        "command": "python benchmarks/server.py " + " ".join(sys.argv[1:]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "backend": backend,
        "workers": args.workers,
        "server_start_s": started,
        "texts": TEXTS,
        "levels": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
