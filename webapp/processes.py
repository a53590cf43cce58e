"""One listening socket served by several processes: the web app's way to use more than one core.

A page is Python work under one interpreter lock, so one process serves pages on one core however many the
machine has. The caller binds the socket first; `serve_forked` forks children that each accept on the inherited
socket, and the kernel hands each connection to whichever child is waiting. Every shared state of the app is in
PostgreSQL already (sessions' generations, sign-in failures, render slots, the secret: docs/operating.md,
"Several instances"), so the children are just instances on one port.

The parent only supervises, as one service to whatever runs it (systemd, a container runtime, a terminal):
- it forwards SIGINT and SIGTERM to every child, and kills what has not stopped `STOP_SECONDS` later;
- when a child ends on its own (a crash, a start-up error) it stops the others and exits with that child's code,
  so that the supervisor above sees one failed service rather than a quietly smaller one;
- when the parent itself dies (even by SIGKILL) each child notices, by the end of a pipe only the parent holds
  open, and stops: no orphan keeps the port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from types import FrameType

FORWARDED = (signal.SIGINT, signal.SIGTERM)
#: Seconds the children have to stop after a forwarded signal before they are killed.
STOP_SECONDS = 30


def serve_forked(count: int, child: Callable[[int], int], listening: socket.socket) -> int:
    """Run ``child(index)`` in `count` forked processes (index 0 .. count-1) until every one has ended; with a
    count of 1, ``child(0)`` in this process, as there is nothing to supervise.

    Call it before any thread or event loop exists in this process: a fork copies only the calling thread.
    The parent closes its copy of `listening` once the children have theirs.

    Returns:
        0 when the children ended because this process was asked to stop (SIGINT, SIGTERM); otherwise the exit
        code of the first child that failed or ended on its own (1 for a child killed by a signal).
    """
    if count == 1:
        return child(0)
    if threading.active_count() != 1:
        raise RuntimeError("serve_forked must run before any other thread starts: a fork copies only this one")
    children: set[int] = set()
    stopping = False

    def signal_children(signum: int) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile; its status is collected below
                os.kill(pid, signum)

    def stop_all(signum: int, frame: FrameType | None = None) -> None:
        nonlocal stopping
        if not stopping:
            signal.alarm(STOP_SECONDS)
        stopping = True
        signal_children(signum)

    def kill_all(signum: int, frame: FrameType | None) -> None:
        signal_children(signal.SIGKILL)

    # Signals wait while children are forked, so that each one reaches every child (none arrives between a fork
    # and the child's own handlers, nor between a fork and `children.add`).
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    previous = {sig: signal.getsignal(sig) for sig in (*FORWARDED, signal.SIGALRM)}
    for sig in FORWARDED:
        signal.signal(sig, stop_all)
    signal.signal(signal.SIGALRM, kill_all)
    parent_alive, parent_holds = os.pipe()
    try:
        for index in range(count):
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                os.close(parent_holds)
                os._exit(_child(index, child, parent_alive))
            children.add(pid)
        listening.close()
        os.close(parent_alive)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)  # a signal that waited is handled here
        result = 0
        while children:
            pid, status = os.wait()
            if pid not in children:
                continue  # an orphan re-parented to this process (it may be a container's first process)
            children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            if stopping:
                # Ended as asked: a child killed by the forwarded signal (before its loop took it) stopped too.
                if code > 0 and not result:
                    result = code
            else:  # a child ended without being asked: the service is not whole, stop the rest
                result = code if code > 0 else 1
                stop_all(signal.SIGTERM)
        return result
    finally:
        signal.alarm(0)
        os.close(parent_holds)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)


def _child(index: int, child: Callable[[int], int], parent_alive: int) -> int:
    """A child's life: its own signal handling, a watch on the parent, `child(index)`; its exit code."""
    for sig in (*FORWARDED, signal.SIGALRM):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    threading.Thread(target=_stop_when_parent_dies, args=(parent_alive,), name="parent-watch", daemon=True).start()
    try:
        return child(index)
    except SystemExit as ended:
        return 0 if ended.code is None else ended.code if isinstance(ended.code, int) else 1
    except BaseException:
        traceback.print_exc()  # os._exit below would end the process before Python printed it
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _stop_when_parent_dies(parent_alive: int) -> None:
    """Block until the pipe's other end closes, which happens only when the parent has ended; then stop."""
    while os.read(parent_alive, 1):
        pass
    os.kill(os.getpid(), signal.SIGTERM)
