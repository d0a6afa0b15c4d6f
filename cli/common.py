"""What every console script shares: one-line errors, UTF-8 input, warnings on stderr."""

from __future__ import annotations

import os
import signal
import stat
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn

from frontend import FrontendError

# Errors a user can cause and fix: shown as one line, never as a traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (FrontendError, OSError, ValueError)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that cleanup runs."""


_sigterm: list[int] = []  # set once SIGTERM arrived


def _terminated(signum, frame) -> None:
    _sigterm.append(signum)
    raise _Terminated


MAX_STDIN_BYTES = 1_000_000


def fail(prog: str, message: str, code: int = 1) -> NoReturn:
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(code)


def warn(prog: str, message: str) -> None:
    print(f"{prog}: warning: {message}", file=sys.stderr)


def run(prog: str, body: Callable[[], int | None]) -> NoReturn:
    """Run a command body; user errors and Ctrl-C end it with one line and a non-zero code.
    SIGTERM ends it as Ctrl-C does, through the ``finally`` blocks (temporary files removed)."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        code = body() or 0
    except KeyboardInterrupt:
        fail(prog, "interrupted", 130)
    except _Terminated:
        fail(prog, "terminated", 143)
    except Exception as err:
        if _sigterm:  # a library turned the termination into its own error (e.g. an ImportError)
            fail(prog, "terminated", 143)
        if not isinstance(err, USER_ERRORS):
            raise
        from core.files import first_line

        fail(prog, first_line(err, 1000))
    sys.exit(code)


def read_text_arg(parts: list[str] | None) -> str:
    """The text from the command line, or from standard input when none (or ``-``) is given."""
    return "".join(text_chunks(parts, chunk_chars=None))


STDIN_TOO_LONG = (
    f"standard input holds more than {MAX_STDIN_BYTES:,} bytes of text; split it, "
    "or give one line per utterance with --text-file"
)


def text_chunks(parts: list[str] | None, chunk_chars: int | None = 2000) -> Iterator[str]:
    """The text to speak in pieces that end at line ends: the first line alone (the first
    audio comes soon), then about ``chunk_chars`` characters each (None: all at once): the
    command line's words, or standard input read as it comes, so that long input is spoken
    while it is still being read. Standard input is
    bounded at ``MAX_STDIN_BYTES`` (a file redirected in larger than that is refused before
    anything is read; a pipe, when it passes the bound)."""
    if parts and parts != ["-"]:
        yield " ".join(parts)
        return
    if sys.stdin is None or sys.stdin.isatty():
        raise ValueError("no text given: pass it as an argument or on standard input")
    try:
        info = os.fstat(sys.stdin.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_STDIN_BYTES:
            raise ValueError(STDIN_TOO_LONG)
    except OSError:  # no file descriptor (io.UnsupportedOperation)
        pass
    pending, pending_chars, total, line_no = [], 0, 0, 0
    while True:
        line = sys.stdin.buffer.readline(MAX_STDIN_BYTES + 1 - total)
        if not line:
            break
        total += len(line)
        line_no += 1
        if total > MAX_STDIN_BYTES:
            raise ValueError(STDIN_TOO_LONG)
        try:
            pending.append(line.decode("utf-8-sig" if line_no == 1 else "utf-8"))
        except UnicodeDecodeError as err:
            raise ValueError(f"standard input is not UTF-8 text (line {line_no}, byte {err.start})") from None
        pending_chars += len(pending[-1])
        if chunk_chars is not None and (line_no == 1 or pending_chars >= chunk_chars):
            yield "".join(pending)
            pending, pending_chars = [], 0
    if pending or line_no == 0:
        yield "".join(pending)
