"""One listening socket served by several processes: the web app's way to use more than one core.

A page is Python work under one interpreter lock, so one process serves pages on one core however many the
machine has. `serve_forked` binds nothing itself: the caller binds the socket first, then each forked child
accepts on the same inherited socket and the kernel hands each connection to whichever child is waiting. Every
shared state of the app is in PostgreSQL already (sessions' generations, sign-in failures, render slots, the
secret: docs/operating.md, "Several instances"), so the children are just instances on one port.

The parent only supervises: it forwards SIGINT and SIGTERM to every child, and when a child ends on its own
(a crash, a start-up error) it stops the others and returns that child's exit code, so that a supervisor above it
(systemd, the container runtime) sees one failed service rather than a quietly smaller one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

FORWARDED = (signal.SIGINT, signal.SIGTERM)


def serve_forked(count: int, child: Callable[[int], int]) -> int:
    """Run ``child(index)`` in `count` forked processes (index 0 .. count-1) until every one has ended.

    Call it before any thread or event loop exists in this process: a fork copies only the calling thread.

    Returns:
        0 when the children ended because this process was asked to stop (SIGINT, SIGTERM) and each exited 0;
        otherwise the exit code of the first child that failed or ended on its own (1 for a signal's death).
    """
    children: set[int] = set()
    stopping = False

    def stop_all(signum: int, frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile; its status is collected below
                os.kill(pid, signum)

    previous = {sig: signal.signal(sig, stop_all) for sig in FORWARDED}
    try:
        for index in range(count):
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # the child: its own handlers (the event loop's), never back into the caller's code
                for sig in FORWARDED:
                    signal.signal(sig, signal.SIG_DFL)
                code = 1
                try:
                    code = child(index)
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            children.add(pid)
        result = 0
        while children:
            pid, status = os.wait()
            children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            code = code if code >= 0 else 1
            if not stopping:  # a child ended without being asked: the service is not whole, stop the rest
                result = code or 1
                stop_all(signal.SIGTERM)
            elif code and not result:
                result = code
        return result
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
