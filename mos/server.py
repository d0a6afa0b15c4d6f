"""Serve a listening test and store every rating in SQLite as it arrives (aiohttp).

Only the page's own files and ``audio/`` are served; ``test.json`` (which says which system
made which item) and the database stay private. A rating is one JSON object
``{"rater", "item", "score", "plays", "client_time"}``; the server answers 201 when it is
stored, 400 for a malformed or out-of-range one, 404 for an unknown item, 409 for a
second rating of the same item by the same rater. Every rejection is logged (stderr and
``rejections.log`` in the test folder). Writes go through one SQLite connection on the
server's event loop, one transaction per rating, so concurrent raters lose nothing.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from pathlib import Path

from aiohttp import web

PAGE_FILES = ("index.html", "app.js", "style.css", "test_data.js")
RATER = re.compile(r"[A-Za-z0-9_.@-]{1,64}")  # the whole string (fullmatch: no trailing newline)
MAX_PLAYS = 10_000
SCHEMA = """CREATE TABLE IF NOT EXISTS ratings (
    rater TEXT NOT NULL, item TEXT NOT NULL, system TEXT NOT NULL, utterance TEXT NOT NULL,
    kind TEXT NOT NULL, score INTEGER NOT NULL, plays INTEGER NOT NULL,
    client_time TEXT, server_time TEXT NOT NULL, remote TEXT, PRIMARY KEY (rater, item))"""

log = logging.getLogger("tts-mos")


def open_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(SCHEMA)
    return db


def make_app(test_dir: str | Path) -> web.Application:
    test_dir = Path(test_dir)
    test_path = test_dir / "test.json"
    if not test_path.is_file():
        raise ValueError(f"{test_dir}: no test.json; build the test with tts-mos build")
    test = json.loads(test_path.read_text(encoding="utf-8"))
    items = {it["id"]: it for it in test["items"]}
    db = open_db(test_dir / "ratings.sqlite")
    handler = logging.FileHandler(test_dir / "rejections.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)

    def reject(request: web.Request, status: int, why: str) -> web.Response:
        log.warning("rejected %s from %s: %s", status, request.remote, why)
        return web.json_response({"error": why}, status=status)

    async def rate(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except RecursionError:
            return reject(request, 400, "body is nested too deeply")
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            return reject(request, 400, "body is not JSON")
        if not isinstance(body, dict):
            return reject(request, 400, "body must be a JSON object")
        rater, item_id, score, plays = (
            body.get("rater"),
            body.get("item"),
            body.get("score"),
            body.get("plays"),
        )
        if not isinstance(rater, str) or not RATER.fullmatch(rater):
            return reject(request, 400, "rater: 1-64 letters, digits or _.@-")
        if not isinstance(item_id, str) or item_id not in items:
            return reject(request, 404, f"unknown item {str(item_id)[:40]!r}")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            return reject(request, 400, "score must be an integer from 1 to 5")
        if not isinstance(plays, int) or isinstance(plays, bool) or not 1 <= plays <= MAX_PLAYS:
            return reject(
                request, 400, f"plays must be an integer from 1 to {MAX_PLAYS} (rate after listening)"
            )
        item = items[item_id]
        try:
            db.execute(
                "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rater,
                    item_id,
                    item["system"],
                    item["utterance"],
                    item["kind"],
                    score,
                    plays,
                    str(body.get("client_time", ""))[:40],
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    request.remote,
                ),
            )
        except sqlite3.IntegrityError:
            return reject(request, 409, f"{rater} already rated {item_id}")
        return web.json_response({"stored": True}, status=201)

    async def page(request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("name") or "index.html"
        if name not in PAGE_FILES:
            raise web.HTTPNotFound()
        return web.FileResponse(test_dir / name)

    app = web.Application(client_max_size=16 * 1024)
    app.router.add_post("/api/ratings", rate)
    app.router.add_get("/", page)
    app.router.add_static("/audio/", test_dir / "audio", follow_symlinks=False, show_index=False)
    app.router.add_get("/{name}", page)
    app.on_cleanup.append(lambda _app: _close(db, handler))
    return app


async def _close(db: sqlite3.Connection, handler: logging.Handler) -> None:
    db.close()
    log.removeHandler(handler)
    handler.close()


def serve(test_dir: str | Path, host: str = "127.0.0.1", port: int = 8080) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    app = make_app(test_dir)
    print(f"serving {test_dir} at http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    web.run_app(app, host=host, port=port, print=None)
