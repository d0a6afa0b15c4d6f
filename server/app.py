"""The HTTP service (aiohttp) around one loaded synthesizer.

Routes:

    POST /api/tts           {"text", "speaker", "pitch_shift", "energy_scale", "pace",
                             "vocoder", "format": "wav" | "pcm", "stream": true}
                            → audio; streamed sentence by sentence (chunked) unless
                            "stream": false (then one WAV with its exact length)
    POST /v1/audio/speech   the widely used request shape: {"model", "input", "voice",
                            "response_format": mp3 | opus | flac | wav | pcm, "speed"}
    GET  /api/voices        the voice, its speakers, vocoders and limits
    GET  /api/health        {"status": "ok", "busy", "waiting"}
    GET  /                  the demo page

Every request runs on a bounded pool: ``workers`` synthesize at once, up to ``queue``
more wait (within the request's timeout), and beyond that a request gets 503 with
``Retry-After``. The text is bounded (``max_chars``, 413) and so is the body
(``max_body_bytes``, 413). Every error is JSON ``{"error": "..."}`` with a 4xx/5xx status,
never a traceback (those go to the server's log). A request that does not finish within
``timeout_s`` gets 504 if nothing was sent yet; once audio is streaming the connection is
cut instead, so the client sees an incomplete transfer, never a short file that looks
whole. The synthesis of a request whose client went away stops at the next sentence.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from aiohttp import web

from frontend import FrontendError
from synthesis.sentences import PACE_RANGE, SentenceSynthesizer, check_controls
from vocoder.griffin_lim_numpy import SCIPY_FFT_FRAMES, fft_module

from .audio import FORMATS, MEDIA_TYPES, STREAMED, encode, pcm16, wav_header

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("tts-server")


# short requests (one or two sentences) one worker of the shipped ONNX voice finishes per
# second on a 2-core machine (benchmarks/server.py: 6.8/s with 2 workers; docs/deployment.md)
SHORT_REQUESTS_PER_S_PER_WORKER = 3.4


def default_queue(workers: int, timeout_s: float) -> int:
    """As many waiting requests as the workers finish within the timeout: a queued short
    request is answered before its timeout, and only what could not be is refused (503)."""
    return round(SHORT_REQUESTS_PER_S_PER_WORKER * workers * timeout_s)


@dataclass
class ServerConfig:
    workers: int = 2  # requests synthesized at once
    queue: int | None = None  # requests that may wait for a worker (None: default_queue)
    max_chars: int = 2000  # characters of text per request
    max_body_bytes: int = 64 * 1024
    timeout_s: float = 60.0  # per request, waiting included
    retry_after_s: int = 2  # what a 503 tells the client

    def __post_init__(self):
        if not self.timeout_s > 0:
            raise ValueError(f"the timeout must be more than 0 s, not {self.timeout_s}")
        if self.queue is None:
            self.queue = default_queue(self.workers, self.timeout_s)
        if self.workers < 1 or self.queue < 0 or self.max_chars < 1 or self.max_body_bytes < 1:
            raise ValueError("workers must be at least 1, queue at least 0, max chars and body at least 1")


class RequestError(Exception):
    """A request the server refuses: ``status`` and a one-line reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Job:
    """One validated synthesis request."""

    text: str
    speaker: str | int | None = None
    pitch_shift: float = 0.0
    energy_scale: float = 1.0
    pace: float = 1.0
    vocoder: str = "auto"
    format: str = "wav"
    stream: bool = True


def _number(body: dict, key: str, default: float) -> float:
    value = body.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RequestError(400, f"{key} must be a number, not {json.dumps(value)[:40]}")
    return float(value)


def _text(body: dict, key: str, max_chars: int) -> str:
    text = body.get(key)
    if not isinstance(text, str) or not text.strip():
        raise RequestError(400, f"{key} must be a non-empty string")
    if len(text) > max_chars:
        raise RequestError(413, f"{key} has {len(text)} characters; this server takes at most {max_chars}")
    return text


def _choice(body: dict, key: str, default: str, allowed) -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str) or value not in allowed:
        raise RequestError(400, f"{key} must be one of {', '.join(allowed)}, not {json.dumps(value)[:40]}")
    return value


TTS_FIELDS = {"text", "speaker", "pitch_shift", "energy_scale", "pace", "vocoder", "format", "stream"}


def parse_tts(body, synth: SentenceSynthesizer, config: ServerConfig) -> Job:
    """``POST /api/tts``'s body → a Job (RequestError for anything malformed)."""
    if not isinstance(body, dict):
        raise RequestError(400, "the body must be a JSON object")
    unknown = sorted(set(body) - TTS_FIELDS)
    if unknown:
        raise RequestError(400, f"unknown field {unknown[0]!r}; fields: {', '.join(sorted(TTS_FIELDS))}")
    speaker = body.get("speaker")
    if speaker is not None and (isinstance(speaker, bool) or not isinstance(speaker, (str, int))):
        raise RequestError(400, "speaker must be a name or a number")
    fmt = _choice(body, "format", "wav", FORMATS)
    stream = body.get("stream", fmt in STREAMED)
    if not isinstance(stream, bool):
        raise RequestError(400, "stream must be true or false")
    if stream and fmt not in STREAMED:
        raise RequestError(400, f"format {fmt} is encoded whole: stream needs {' or '.join(STREAMED)}")
    return Job(
        _text(body, "text", config.max_chars),
        speaker,
        _number(body, "pitch_shift", 0.0),
        _number(body, "energy_scale", 1.0),
        _number(body, "pace", 1.0),
        _choice(body, "vocoder", "auto", ["auto", *synth.vocoders]),
        fmt,
        stream,
    )


def parse_speech(body, synth: SentenceSynthesizer, config: ServerConfig) -> Job:
    """``POST /v1/audio/speech``'s body → a Job. ``voice``: one of this voice's speakers,
    any other name (clients send "alloy" …) speaks with its first; ``model`` and
    ``instructions`` are accepted and ignored; ``speed`` is the pace (0.25–4)."""
    if not isinstance(body, dict):
        raise RequestError(400, "the body must be a JSON object")
    voice = body.get("voice")
    if voice is not None and not isinstance(voice, str):
        raise RequestError(400, "voice must be a string")
    speaker = voice if voice in synth.speakers else None
    if body.get("stream_format", "audio") != "audio":
        raise RequestError(400, 'stream_format must be "audio" (server-sent events are not offered)')
    fmt = body.get("response_format", "mp3")
    if fmt == "aac":
        raise RequestError(400, f"response_format aac is not offered; use one of {', '.join(FORMATS)}")
    return Job(
        _text(body, "input", config.max_chars),
        speaker,
        pace=_number(body, "speed", 1.0),
        format=_choice(body, "response_format", "mp3", FORMATS),
        stream=fmt in STREAMED,
    )


class Pool:
    """``workers`` threads, and admission: at most ``workers + queue`` requests inside."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self.executor = ThreadPoolExecutor(config.workers, thread_name_prefix="tts-worker")
        self.slots = asyncio.Semaphore(config.workers)
        self.inside = 0  # admitted: synthesizing or waiting
        self.busy = 0

    def admit(self) -> None:
        if self.inside >= self.config.workers + self.config.queue:
            raise RequestError(503, "the server is busy; try again shortly")
        self.inside += 1

    def leave(self) -> None:
        self.inside -= 1


CONFIG = web.AppKey("config", ServerConfig)
SYNTHESIZER = web.AppKey("synthesizer", SentenceSynthesizer)
SYNTHESIZERS = web.AppKey("synthesizers", dict)
POOL = web.AppKey("pool", Pool)


def _produce(synth: SentenceSynthesizer, job: Job, loop, queue: asyncio.Queue, stop: threading.Event):
    """In a worker thread: each sentence's audio into ``queue``, then None (or the error)."""

    def put(item):
        loop.call_soon_threadsafe(queue.put_nowait, item)

    try:
        for sentence in synth.sentences(job.text, job.speaker, job.pitch_shift, job.energy_scale, job.pace):
            put(sentence)
            if stop.is_set():
                break
        put(None)
    except BaseException as err:  # handed to the request, which answers for it
        put(err)


def _error_status(err: BaseException) -> tuple[int, str]:
    if isinstance(err, (FrontendError, ValueError)):
        return 400, str(err).splitlines()[0] if str(err) else type(err).__name__
    log.error("synthesis failed", exc_info=err)
    return 500, "synthesis failed (the server log has the details)"


async def _synthesize(request: web.Request, job: Job) -> web.StreamResponse:
    app = request.app
    synth: SentenceSynthesizer = app[SYNTHESIZERS][job.vocoder]
    pool: Pool = app[POOL]
    config: ServerConfig = app[CONFIG]
    try:
        check_controls(job.pitch_shift, job.energy_scale, pace=job.pace)
        synth.speaker_index(job.speaker)
    except ValueError as err:
        raise RequestError(400, str(err)) from None
    deadline = time.monotonic() + config.timeout_s
    pool.admit()
    try:
        await asyncio.wait_for(pool.slots.acquire(), config.timeout_s)
    except TimeoutError:
        pool.leave()
        raise RequestError(503, "no worker became free in time; try again shortly") from None
    except BaseException:
        pool.leave()
        raise
    pool.busy += 1

    def free(_=None):  # the slot is free only when the worker thread is, not when the request ends
        pool.busy -= 1
        pool.slots.release()
        pool.leave()

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    stop = threading.Event()
    try:
        work = loop.run_in_executor(pool.executor, _produce, synth, job, loop, queue, stop)
    except BaseException:
        free()
        raise
    work.add_done_callback(free)
    try:
        return await _run(request, synth, job, deadline, queue)
    finally:
        stop.set()  # a worker still going stops at its next sentence


async def _run(request: web.Request, synth: SentenceSynthesizer, job: Job, deadline: float, queue):
    """Answer from the worker's queue: before the first byte every failure is a JSON error;
    once audio streams, a failure cuts the connection."""
    timeout = request.app[CONFIG].timeout_s

    async def next_item():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        item = await asyncio.wait_for(queue.get(), remaining)
        if isinstance(item, BaseException):
            raise item
        return item

    async def next_or_refuse():
        try:
            return await next_item()
        except TimeoutError:
            raise RequestError(504, f"synthesis took longer than {timeout:g} s") from None
        except Exception as err:
            raise RequestError(*_error_status(err)) from None

    item = await next_or_refuse()
    rate = synth.sample_rate
    headers = {"X-Sample-Rate": str(rate), "Cache-Control": "no-store"}
    if not job.stream:  # the whole audio, then one file with its exact length
        parts = []
        while item is not None:
            parts.append(item.audio)
            item = await next_or_refuse()
        body = encode(np.concatenate(parts), rate, job.format)
        return web.Response(body=body, content_type=MEDIA_TYPES[job.format], headers=headers)
    response = web.StreamResponse(headers={"Content-Type": MEDIA_TYPES[job.format], **headers})
    response.enable_chunked_encoding()
    await response.prepare(request)
    if job.format == "wav":
        await response.write(wav_header(rate))
    try:
        while item is not None:
            await response.write(pcm16(item.audio))
            item = await next_item()
    except (ConnectionResetError, asyncio.CancelledError):
        raise
    except Exception as err:
        if isinstance(err, asyncio.TimeoutError):
            log.warning("%s timed out while streaming; connection cut", request.path)
        else:
            log.error("synthesis failed while streaming", exc_info=err)
        if request.transport is not None:
            request.transport.close()  # the client must see an incomplete transfer
        raise ConnectionResetError("stream cut") from None
    await response.write_eof()
    return response


async def _body(request: web.Request):
    config: ServerConfig = request.app[CONFIG]
    if request.content_length is not None and request.content_length > config.max_body_bytes:
        raise RequestError(413, f"the body is larger than {config.max_body_bytes} bytes")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise RequestError(413, f"the body is larger than {config.max_body_bytes} bytes") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RequestError(400, "the body is not valid UTF-8 JSON") from None


async def tts(request: web.Request) -> web.StreamResponse:
    job = parse_tts(await _body(request), request.app[SYNTHESIZER], request.app[CONFIG])
    return await _synthesize(request, job)


async def speech(request: web.Request) -> web.StreamResponse:
    job = parse_speech(await _body(request), request.app[SYNTHESIZER], request.app[CONFIG])
    return await _synthesize(request, job)


async def voices(request: web.Request) -> web.Response:
    synth: SentenceSynthesizer = request.app[SYNTHESIZER]
    config: ServerConfig = request.app[CONFIG]
    name = synth.card.get("name", "voice")
    voice = {
        "name": name,
        "speakers": list(synth.speakers) or [name],
        "sample_rate": synth.sample_rate,
        "vocoders": synth.vocoders,
        "default_vocoder": synth.vocoder_name,
        "backend": synth.backend,
        "pace": list(PACE_RANGE) if synth.has_pace else None,
    }
    limits = {
        "max_chars": config.max_chars,
        "max_body_bytes": config.max_body_bytes,
        "timeout_s": config.timeout_s,
    }
    return web.json_response({"voices": [voice], "formats": list(FORMATS), "limits": limits})


async def health(request: web.Request) -> web.Response:
    pool: Pool = request.app[POOL]
    return web.json_response({"status": "ok", "busy": pool.busy, "waiting": pool.inside - pool.busy})


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@web.middleware
async def json_errors(request: web.Request, handler):
    """Every refusal as JSON; no traceback ever reaches a client."""
    try:
        return await handler(request)
    except RequestError as err:
        headers = {"Retry-After": str(request.app[CONFIG].retry_after_s)} if err.status == 503 else None
        if err.status >= 500:
            log.warning("%s %s → %d: %s", request.method, request.path, err.status, err)
        return web.json_response({"error": str(err)}, status=err.status, headers=headers)
    except web.HTTPException as err:  # the router's 404 / 405, aiohttp's 413
        if err.status < 400:
            raise
        return web.json_response({"error": err.reason}, status=err.status, headers=_allow(err))
    except (ConnectionResetError, asyncio.CancelledError):
        raise
    except Exception as err:
        log.error("%s %s failed", request.method, request.path, exc_info=err)
        return web.json_response({"error": "internal error (the server log has the details)"}, status=500)


def _allow(err: web.HTTPException) -> dict | None:
    allow = err.headers.get("Allow") if err.headers else None
    return {"Allow": allow} if allow else None


def make_app(synth: SentenceSynthesizer, config: ServerConfig | None = None) -> web.Application:
    """The service for one loaded synthesizer (``synthesis.open_synthesizer``)."""
    config = config or ServerConfig()
    app = web.Application(middlewares=[json_errors], client_max_size=config.max_body_bytes)
    app[CONFIG], app[SYNTHESIZER] = config, synth
    app[SYNTHESIZERS] = {
        "auto": synth,
        **{v: synth if v == synth.vocoder_name else synth.using(v) for v in synth.vocoders},
    }

    async def start_pool(app):
        app[POOL] = Pool(config)
        fft_module(SCIPY_FFT_FRAMES)  # a server pays the faster FFT's import once, at start

    async def stop_pool(app):
        app[POOL].executor.shutdown(wait=True)

    app.on_startup.append(start_pool)
    app.on_cleanup.append(stop_pool)
    app.router.add_post("/api/tts", tts)
    app.router.add_post("/v1/audio/speech", speech)
    app.router.add_get("/api/voices", voices)
    app.router.add_get("/api/health", health)
    app.router.add_get("/", index)
    return app
