"""Benchmark: long text through tts-synthesize, as a user runs it: wall time, audio
written, real-time factor and the process's peak memory, for 1,000 and 20,000 characters.

    python benchmarks/long_text.py --chars 1000 20000

The text is the sample paragraph (samples/texts.txt) repeated to the length asked for.
Each size runs ``tts-synthesize`` (shipped voice, Griffin-Lim) in its own process; peak
memory is that child's maximum resident set size. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chars", type=int, nargs="+", default=[1000, 20000])
    p.add_argument("--json", default="benchmarks/results/long_text.json")
    args = p.parse_args()
    paragraph = dict(
        line.split("|", 1)
        for line in (ROOT / "samples/texts.txt").read_text(encoding="utf-8").splitlines()
        if line
    )["paragraph"]
    rows = []
    for n in args.chars:
        text = (paragraph * (n // len(paragraph) + 1))[:n]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "long.wav"
            start = time.perf_counter()
            r = subprocess.run(
                [sys.executable, "-m", "cli.synthesize", "-o", str(out)],
                input=text.encode(),
                capture_output=True,
                cwd=ROOT,
            )
            wall = time.perf_counter() - start
            if r.returncode:
                sys.exit(r.stderr.decode().strip().splitlines()[-1])
            seconds = sf.info(out).duration
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child so far
        rows.append(
            {
                "chars": n,
                "wall_s": round(wall, 1),
                "audio_s": round(seconds, 1),
                "rtf_with_startup": round(wall / seconds, 4),
                "peak_rss_mb_max_so_far": round(peak),
            }
        )
        print(
            f"{n:>6} chars: {wall:7.1f} s wall, {seconds:7.1f} s audio, RTF {wall / seconds:.4f} "
            f"(start-up included), peak RSS {peak:.0f} MB",
            flush=True,
        )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"rows": rows}, indent=1))


if __name__ == "__main__":
    main()
