"""A ``tts-server`` for benchmarks: started on a free port, and one streamed request timed."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_server(
    model: str | None, workers: int, queue: int, max_chars: int | None = None
) -> tuple[subprocess.Popen, int, str, float]:
    """``python -m cli.server`` on a free port, once it answers → (process, port, backend,
    seconds it took to start)."""
    cmd = [
        sys.executable,
        "-m",
        "cli.server",
        "--port",
        "0",
        "--workers",
        str(workers),
        "--queue",
        str(queue),
    ]
    if model:
        cmd += ["--model", model]
    if max_chars:  # long texts: room for them and for the time they take
        cmd += ["--max-chars", str(max_chars), "--timeout", "900"]
    server = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    line = ""
    t_start = time.perf_counter()
    while "serving" not in line:
        line = server.stderr.readline()
        if not line and server.poll() is not None:
            raise SystemExit("tts-server did not start")
    started = time.perf_counter() - t_start
    threading.Thread(target=server.stderr.read, daemon=True).start()  # keep its pipe drained
    port = int(re.search(r":(\d+)/", line).group(1))
    backend = re.search(r"\((.+?)\)", line).group(1)
    return server, port, backend, started


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def one_request(port: int, text: str) -> tuple[float, float, int]:
    """→ (seconds to first body byte, seconds to the end, bytes of audio)."""
    body = json.dumps({"text": text}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    t0 = time.perf_counter()
    conn.request("POST", "/api/tts", body, {"Content-Type": "application/json"})
    r = conn.getresponse()
    if r.status != 200:
        raise RuntimeError(f"HTTP {r.status}: {r.read()[:200]!r}")
    first = r.read(1)
    t1 = time.perf_counter()
    rest = r.read()
    t2 = time.perf_counter()
    conn.close()
    return t1 - t0, t2 - t0, len(first) + len(rest) - 44
