"""``tts-server``: keep a voice loaded and speak over HTTP."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

from cli.common import run

PROG = "tts-server"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Serve a voice over HTTP: POST /api/tts (streamed WAV or PCM), POST /v1/audio/speech "
        "(the widely used request shape), GET /api/voices, and a demo page at /. An ONNX export "
        "(tts-export --format onnx) runs without PyTorch and starts fastest.",
        epilog="examples:\n  tts-server --port 8000                       # the shipped voice\n"
        "  tts-server --model exports/mine-onnx --host 0.0.0.0 --workers 2\n"
        "  curl -s localhost:8000/api/tts -H 'Content-Type: application/json' "
        '-d \'{"text": "你好。"}\' -o hello.wav\n'
        "SIGTERM or Ctrl-C stops it after the requests in flight (within --timeout).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", help="voice folder or export (default: the voice shipped with the toolkit)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free port, printed)")
    p.add_argument("--workers", type=int, default=2, help="requests synthesized at once (default 2)")
    p.add_argument(
        "--queue",
        type=int,
        help="requests that may wait for a worker (default: what the workers finish within --timeout "
        "at 3.4 short requests/s each, as measured on 2 cores: 408 for 2 workers and 60 s)",
    )
    p.add_argument(
        "--max-chars", type=int, default=2000, help="characters of text per request (default 2000)"
    )
    p.add_argument("--max-body", type=int, default=64 * 1024, help="request body bytes (default 65536)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request, waiting included (60)")
    p.add_argument(
        "--vocoder",
        choices=["auto", "waveglow", "griffin-lim"],
        default="auto",
        help="default vocoder (requests may pick another the voice has)",
    )
    p.add_argument("--sigma", type=float, default=0.6, help="WaveGlow sampling temperature (default 0.6)")
    p.add_argument("--device", default="cpu", help="cpu or cuda (voice folders on the torch backend)")
    p.add_argument("--user-dict", metavar="FILE", help="user dictionary for the frontend")
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    from server.app import ServerConfig

    config = ServerConfig(args.workers, args.queue, args.max_chars, args.max_body, args.timeout)
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port {args.port} is not a port number (0 to 65535)")
    from synthesis import open_synthesizer

    threads = max(1, (os.cpu_count() or 1) // config.workers)
    synth = open_synthesizer(
        args.model, args.vocoder, args.device, args.sigma, user_dict=args.user_dict, threads=threads
    )
    if synth.backend != "onnxruntime":
        import torch

        torch.set_num_threads(threads)
    for w in synth.warnings:
        print(f"{PROG}: warning: {w}", file=sys.stderr)
    asyncio.run(_serve(synth, config, args.host, args.port))
    return 0


async def _serve(synth, config, host: str, port: int) -> None:
    from aiohttp import web

    from server.app import make_app

    runner = web.AppRunner(make_app(synth, config), access_log=None, shutdown_timeout=config.timeout_s)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise OSError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    bound = runner.addresses[0][1] if runner.addresses else port
    name = synth.card.get("name", "voice")
    print(f"{PROG}: serving {name} ({synth.backend}) on http://{host}:{bound}/", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    print(f"{PROG}: stopping; finishing the requests in flight", file=sys.stderr, flush=True)
    await runner.cleanup()
    print(f"{PROG}: stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
