"""Writing files so that nothing half-written is ever seen, even after a power loss, and
error messages that always have a first line.

``atomic_write`` writes beside the target, flushes and fsyncs the file, renames it over
the target, then fsyncs the folder (the rename itself survives a crash). Every file the
toolkit writes from training or synthesis goes through it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def first_line(err: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message, or its type's name when the message is empty;
    one longer than ``limit`` is cut at a space and ends with an ellipsis."""
    lines = str(err).strip().splitlines()
    line = lines[0] if lines else type(err).__name__
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some filesystems do not open folders
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; on success it is fsynced and renamed onto
    ``path`` (folder fsynced too); on any error it is removed. ``suffix`` keeps an extension
    that a writer insists on (``np.savez`` adds ``.npz``)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{suffix}")
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` through ``write(file)`` atomically and durably."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        write(f)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def atomic_write_json(path: str | Path, data) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


def resolve_output(path: str | Path) -> tuple[str, Path]:
    """How to write a file a user named, as (kind, path):

    - ``("stdout", "-")`` for ``-``: standard output, written through as it comes;
    - ``("stream", path)`` for a character device or a FIFO (``/dev/null``, a pipe, a
      terminal): written through, never replaced;
    - ``("file", real path)`` for a regular file or a new name, symlinks followed: the
      target is replaced atomically (``atomic_path``) and the link is kept.

    A folder or a block device is a ValueError.
    """
    if str(path) == "-":
        return "stdout", Path("-")
    real = Path(os.path.realpath(path))
    try:
        mode = os.stat(real).st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new name (its folder is checked on writing)
        return "file", real
    if stat.S_ISDIR(mode):
        raise ValueError(f"cannot write {path}: it is a folder")
    if stat.S_ISBLK(mode):
        raise ValueError(f"cannot write {path}: it is a block device; not writing to it")
    return ("file" if stat.S_ISREG(mode) else "stream"), real
