"""jieba's prefix dictionary looked up on disk instead of loaded: start-up in milliseconds.

jieba keeps every dictionary word with its frequency, and every prefix of a word with 0,
in one Python dict (about 580,000 entries) that it unmarshals from its cache on first use:
1–2 s on a small CPU, more than the rest of synthesis from an ONNX export. Segmenting a
sentence looks up only a few hundred of those entries, so ``WordFrequencies`` answers the
same lookups (``in``, ``[]``, ``get``; writes go to an in-memory overlay, as jieba's
``add_word`` makes them) from an SQLite table built once from jieba's own dictionary and
kept in the user's cache folder (``$MANDARIN_TTS_CACHE``, else ``$XDG_CACHE_HOME`` or
``~/.cache``, under ``mandarin-tts``). Where no cache can be written the frontend loads
jieba's dict as before (``frequencies`` returns None).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

TABLE_VERSION = 1


def cache_dir() -> Path:
    root = os.environ.get("MANDARIN_TTS_CACHE")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mandarin-tts"


class WordFrequencies:
    """jieba's ``FREQ`` (word or word prefix → frequency) from an SQLite file, with
    ``total`` (the sum of the words' frequencies); thread-safe."""

    def __init__(self, path: Path, overlay: dict[str, int] | None = None, total: int | None = None):
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self.overlay = dict(overlay or {})
        self.total = total if total is not None else int(self._query("SELECT n FROM meta WHERE k='total'"))
        self._cached = lru_cache(maxsize=20000)(self._lookup)  # bounded, as g2p's

    def _query(self, sql: str, *args):
        with self._lock:
            row = self._db.execute(sql, args).fetchone()
        return None if row is None else row[0]

    def _lookup(self, word: str) -> int | None:
        return self._query("SELECT n FROM freq WHERE word=?", word)

    def get(self, word: str, default=None):
        if word in self.overlay:
            return self.overlay[word]
        n = self._cached(word)
        return default if n is None else n

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        n = self.get(word)
        if n is None:
            raise KeyError(word)
        return n

    def __setitem__(self, word: str, n: int) -> None:
        self.overlay[word] = n

    def copy(self) -> WordFrequencies:
        """Another view of the same file with its own overlay (a private user dictionary)."""
        return WordFrequencies(self.path, self.overlay, self.total)


def _cache_file() -> Path:
    import jieba

    info = (Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME).stat()
    key = f"{jieba.__version__}-{info.st_size}-{int(info.st_mtime)}-v{TABLE_VERSION}"
    return cache_dir() / f"jieba-{key}.sqlite"


def _build(path: Path) -> None:
    """jieba's dict, loaded the usual way once, written as an SQLite table (atomically)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, n INTEGER)")
        db.executemany("INSERT INTO freq VALUES (?, ?)", tokenizer.FREQ.items())
        db.execute("INSERT INTO meta VALUES ('total', ?)", (tokenizer.total,))
        db.commit()
        db.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def frequencies() -> WordFrequencies | None:
    """jieba's prefix dictionary from the cache (built on first use); None where the cache
    cannot be made or read (the caller then loads jieba's dict into memory)."""
    try:
        path = _cache_file()
        if not path.is_file():
            _build(path)
        return WordFrequencies(path)
    except (OSError, sqlite3.Error, TypeError, ValueError):
        return None
