"""``tts-mos``: listening tests — build the page, serve it and collect ratings, report MOS."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import run

PROG = "tts-mos"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="MOS listening tests (ITU-T P.800 absolute category rating, 5 Excellent … 1 Bad).",
        epilog="example:\n  tts-mos build --system ref=data/corpus/wavs --system voice=out/ --reference "
        "ref --out mos_test\n"
        "  tts-mos serve mos_test --port 8080     # raters open http://HOST:8080/\n"
        "  tts-mos report mos_test                # or a downloaded ratings_*.json file",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="make a test folder from folders of WAVs matched by name")
    b.add_argument(
        "--system",
        action="append",
        required=True,
        metavar="NAME=DIR",
        help="a system and its folder of WAVs (repeat; the references are one more system)",
    )
    b.add_argument(
        "--reference",
        metavar="NAME",
        help="the reference system: adds attention checks "
        "(the reference, expected 4-5, and a degraded anchor, expected 1-2)",
    )
    b.add_argument("--no-checks", action="store_true", help="no attention checks")
    b.add_argument("--utterances", type=int, default=0, help="at most this many utterances (random, seeded)")
    b.add_argument("--title", default="语音质量评测 / Speech quality test")
    b.add_argument("--out", required=True, type=Path, help="test folder to write")
    s = sub.add_parser("serve", help="serve a test and store ratings in TESTDIR/ratings.sqlite")
    s.add_argument("test", type=Path)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    s.add_argument("--port", type=int, default=8080)
    r = sub.add_parser("report", help="MOS per system with 95%% CI, significance, plot")
    r.add_argument(
        "ratings", type=Path, help="a test folder, its ratings.sqlite, or downloaded ratings_*.json"
    )
    r.add_argument(
        "--out", type=Path, help="where mos.json, mos.md and mos.png go (default: beside the ratings)"
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    if args.command == "build":
        from mos.build import build_test

        systems = {}
        for spec in args.system:
            name, sep, folder = spec.partition("=")
            if not sep:
                raise ValueError(f"--system {spec!r}: expected NAME=DIR")
            if name in systems:
                raise ValueError(f"system {name!r} given twice")
            systems[name] = Path(folder)
        test = build_test(
            systems, args.out, args.reference, args.title, not args.no_checks, args.utterances or None
        )
        print(
            f"{args.out}: {len(test['items'])} items ({len(test['utterances'])} utterances × "
            f"{len(systems)} systems"
            f"{' + 2 attention checks' if any(i['kind'] == 'check' for i in test['items']) else ''}); "
            f"open {args.out / 'index.html'} offline or run: tts-mos serve {args.out}"
        )
        return 0
    if args.command == "serve":
        from mos.server import serve

        serve(args.test, args.host, args.port)
        return 0
    from mos.report import write_report
    from mos.stats import load_ratings, summarize

    ratings, test = load_ratings(args.ratings)
    summary = summarize(ratings, test)
    out = args.out or (args.ratings if args.ratings.is_dir() else args.ratings.parent)
    paths = write_report(summary, out)
    print(paths["markdown"].read_text(encoding="utf-8"), end="")
    return 0


if __name__ == "__main__":
    main()
