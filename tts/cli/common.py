"""What every console script shares: one-line errors, UTF-8 input, warnings on stderr."""
from __future__ import annotations

import signal
import sys
from typing import Callable, NoReturn

from frontend import FrontendError

# Errors a user can cause and fix: shown as one line, never as a traceback.
USER_ERRORS: tuple[type[BaseException], ...] = (FrontendError, OSError, ValueError)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that cleanup runs."""


def _terminated(signum, frame) -> None:
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
    except USER_ERRORS as err:
        from tts.files import first_line

        fail(prog, first_line(err, 1000))
    sys.exit(code)


def read_text_arg(parts: list[str] | None) -> str:
    """The text from the command line, or from standard input when none (or ``-``) is given."""
    if parts and parts != ["-"]:
        return " ".join(parts)
    if sys.stdin is None or sys.stdin.isatty():
        raise ValueError("no text given: pass it as an argument or on standard input")
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise ValueError(f"standard input holds more than {MAX_STDIN_BYTES:,} bytes of text; split it, "
                         "or give one line per utterance with --text-file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"standard input is not UTF-8 text (byte {err.start})") from None
