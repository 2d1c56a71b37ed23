"""Work done on a second process while the build goes on (the pages of archived versions).

A build with thousands of archived versions spends its extra time converting their bodies: CPU
work that one core does while the other one idles, since MkDocs builds on one. :func:`start` forks
the build process, the child does the work (writing its own files) and sends back what it
returned, and :meth:`Child.join` (in ``on_post_build``) hands that back and replays the child's log
records through the build's own loggers, so ``--strict`` counts its warnings as any others.

A fork copies only the thread that calls it, so :func:`why_not` allows it only on Linux, with at
least two CPUs, when no other thread runs (``mkdocs serve`` has its server threads: it builds in
one process). A child that raises, dies or is killed gives an :class:`Outcome` with the reason;
the caller then does the work again in its own process. Either way the files are the same.

Memory: the child shares the build's memory until either process writes to it (copy on write);
the benchmark sums the proportional set size (PSS) of both, which counts a shared page once.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

_PR_SET_PDEATHSIG = 1  # prctl(2): the signal the calling process gets when its parent ends


@dataclass
class Outcome:
    """What a child gave back: ``value`` (None when it failed, with ``error`` saying why), its
    log records in the order it made them, and what it cost: the seconds its work took, its CPU
    seconds and peak resident MB, and the seconds :meth:`Child.join` waited for it."""

    value: object = None
    error: str | None = None
    records: list[logging.LogRecord] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_mb: float = 0.0
    waited: float = 0.0


def why_not() -> str | None:
    """Why the work cannot go to a second process here (None: it can)."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return "not on Linux"
    if len(os.sched_getaffinity(0)) < 2:
        return "one CPU"
    if threading.active_count() > 1:
        return "other threads are running (mkdocs serve)"
    return None


class Child:
    """A forked process doing one piece of work; :meth:`join` once, or :meth:`stop`."""

    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self._reader = pid, reader

    def join(self) -> Outcome:
        """Wait for the child; its value, log records and cost (the records are not replayed:
        :func:`replay` does that)."""
        started = time.perf_counter()
        with os.fdopen(self._reader, "rb") as pipe:
            payload = pipe.read()
        _, status, usage = os.wait4(self.pid, 0)
        gc.unfreeze()
        cost = {
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024,
            "waited": time.perf_counter() - started,
        }
        code = os.waitstatus_to_exitcode(status)
        if code != 0 or not payload:
            how = f"was killed by signal {-code}" if code < 0 else f"ended with exit status {code}"
            return Outcome(error=f"the second process {how}", **cost)
        value, error, records, seconds = pickle.loads(payload)
        return Outcome(value=value, error=error, records=records, seconds=seconds, **cost)

    def stop(self) -> None:
        """End the child now (the build failed): it is killed and reaped."""
        gc.unfreeze()
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.close(self._reader)
            os.waitpid(self.pid, 0)
        except OSError:  # already ended and reaped
            pass


def start(work: Callable[[], object]) -> Child:
    """Run ``work()`` on a forked copy of this process; its return value must pickle. Call only
    when :func:`why_not` is None."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # nothing buffered is written twice
    reader, writer = os.pipe()
    parent = os.getpid()
    # Frozen until the child is joined, the build's objects are left alone by the garbage
    # collections of both processes, which would otherwise touch every one of them and so copy
    # nearly all the memory the two share (the copies of either count for both together).
    gc.freeze()
    pid = os.fork()
    if pid:
        os.close(writer)
        return Child(pid, reader)
    os.close(reader)  # the child from here on: it never returns into the build
    status = 1
    try:
        _end_with(parent)
        records, started = _capture_logs(), time.perf_counter()
        try:
            payload = _packed(work(), None, records, started)
        except BaseException:  # any failure, a value that does not pickle too, goes back as text
            payload = _packed(None, traceback.format_exc(), records, started)
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)


def _end_with(parent: int) -> None:
    """In the child: it is killed when the build's process ends first (killed, timed out, Ctrl-C),
    not left running on its own (Linux ``PR_SET_PDEATHSIG``)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the child ends when its work does
        return
    if os.getppid() != parent:  # the build ended between the fork and the prctl
        os._exit(1)


def replay(records: list[logging.LogRecord]) -> None:
    """Hand a child's log records to this process's loggers, as if made here."""
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def _capture_logs() -> list[logging.LogRecord]:
    """In the child: every record any logger would emit is kept (for the parent), none printed."""
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record)

    root = logging.getLogger()
    for logger in [root, *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True
    root.addHandler(Keep())
    return kept


def _packed(value: object, error: str | None, records: list[logging.LogRecord], started: float) -> bytes:
    portable = [_portable(r) for r in records]
    return pickle.dumps((value, error, portable, time.perf_counter() - started), protocol=pickle.HIGHEST_PROTOCOL)


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message formatted and any traceback as text, so that it pickles."""
    record.msg, record.args = record.getMessage(), None
    if record.exc_info:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    return record
