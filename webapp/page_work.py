"""A page's CPU work (its rows through the read model's rules and the templates) off the event loop.

The cohort overview of a few hundred owners takes tens of milliseconds of pure Python to build and render. On the
event loop that time is taken from every other request in flight, `/healthz` included, and fifty people asking at
once queue behind each other's pages. In a thread the loop goes on answering meanwhile: CPython hands the GIL
to the waiting loop every switch interval (below), so a short request waits milliseconds, not a page.

Two threads, shared by the process: with the GIL more threads render no faster, they only take the loop's turn
more often; two let a small page go on beside a large one instead of waiting for it to end.

The serving process (webapp/server.py) also shortens CPython's switch interval from 5 ms to `SWITCH_INTERVAL`:
the event loop gives up the GIL on every socket write and read (each statement to PostgreSQL, each answer) and
must then wait for a rendering thread to hand it back. At 5 ms each statement and each answer could wait 5 ms for
the GIL alone while others rendered (profiled under bench/web_load.py); at 1 ms the loop waits a fifth of that,
for a little more switching between the rendering threads (0.5 ms measured no better). (In `make dev` the worker
shares that process, and the interval, with the web app.)

`python -m webapp` also sets CPython's cycle collector for serving (`steady_collector`). A page's data is freed
by reference counting when the page is done (readmodel/rendering.py), so what the collector finds at each run is
the data of the pages still in flight, which it cannot free, only move to an older generation to be looked at
again; at CPython's default (a run every 700 objects more than were freed) it ran about 2,000 times a minute under
bench/web_load.py, and its full runs held every request of the process for up to 400 ms. It runs instead every
`YOUNG_OBJECTS` objects (a few megabytes at most), and the modules and objects made at start-up, which live as
long as the process, are left out of its runs (`gc.freeze`).
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

#: The threads that render pages, one pool for the process (the app objects of tests come and go; the pool stays).
THREADS = 2
_threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="page-work")


#: Seconds a thread holds the GIL while another waits for it (CPython's default: 0.005), in the serving process.
SWITCH_INTERVAL = 0.001


def share_the_gil() -> None:
    """Let the event loop take the GIL back sooner from the page threads (the serving process calls it once)."""
    sys.setswitchinterval(SWITCH_INTERVAL)


#: Objects made and not yet freed that start a run of CPython's cycle collector (its default: 700), when serving.
YOUNG_OBJECTS = 20_000


def steady_collector() -> None:
    """Set the cycle collector for serving pages (module docstring); `python -m webapp` calls it once it has
    imported everything and before it forks, so that its processes share the start-up objects, left alone."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, older, oldest)


async def off_loop(work: Callable[[], T]) -> T:
    """`work()` in a page thread, in a copy of this context (the request's language: `language.current`)."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_threads, context.run, work)
