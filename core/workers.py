"""Work spread over worker processes that fails loudly: a worker that dies (killed for memory,
a signal, a crash in a native library) is an error naming what it was working on, within
seconds, never a wait for a result that will not come; Ctrl-C or SIGTERM in the parent ends
the workers at once.

``multiprocessing.Pool`` replaces a dead worker and loses its task, so ``imap`` then waits
forever; ``concurrent.futures.ProcessPoolExecutor`` marks the pool broken instead. Jobs are
handed out one per free worker, so when one dies the jobs in flight are exactly the ones
being worked on.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any


class WorkerDied(OSError):
    """A worker process ended while it worked; the message names the job and the likely cause
    (an OSError: the commands show it as one line)."""


def _cause(exitcodes: list[int | None]) -> str:
    codes = [c for c in exitcodes if c not in (None, 0)]
    if not codes:
        return "ended unexpectedly"
    code = codes[0]
    if code == -signal.SIGKILL:
        return "was killed (SIGKILL: most often the kernel's out-of-memory killer)"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def run_jobs(
    fn: Callable[[Any], Any],
    jobs: Iterable[Any],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    describe: Callable[[Any], str] = str,
) -> Iterator[Any]:
    """``fn(job)`` for every job in worker processes (spawned); results in completion order.
    Raises ``WorkerDied`` when a worker dies; on any exit (an error, Ctrl-C, SIGTERM, the
    caller stopping early) the workers are ended."""
    pending = iter(jobs)
    executor = ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=get_context("spawn"),
        initializer=initializer,
        initargs=initargs,
    )
    running: dict[Future, Any] = {}
    try:

        def submit_next() -> bool:
            for job in pending:
                running[executor.submit(fn, job)] = job
                return True
            return False

        for _ in range(max(1, workers)):
            if not submit_next():
                break
        while running:
            done, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    processes = list(getattr(executor, "_processes", {}).values())
                    for p in processes:
                        p.join(timeout=1)
                    cause = _cause([p.exitcode for p in processes])
                    others = [describe(j) for j in running.values()]
                    also = f" (or on {', '.join(others)})" if others else ""
                    raise WorkerDied(
                        f"a worker process {cause} while working on {describe(job)}{also}; "
                        "what was finished is kept, and running the command again resumes"
                    ) from None
                submit_next()
                yield result
    finally:
        _stop(executor)


def _stop(executor: ProcessPoolExecutor) -> None:
    """End the workers now: nothing queued runs, nothing running is waited for."""
    processes = list(getattr(executor, "_processes", {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.kill()
    for p in processes:
        p.join(timeout=5)
