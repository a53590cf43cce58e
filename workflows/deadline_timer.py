"""The one durable timer a workflow keeps for its next deadline, shared by both workflows.

In the spirit of Temporal's `updatable_timer` sample: the workflow's main loop asks to sleep until its next
deadline and wakes early when something changes (an update, a written record, a report). A new timer on
every wake-up would cost a cancelled timer and a new one, two commands and two events, each time; so the timer
is kept while the deadline stays where it is, and replaced only when the deadline moves. What is due is worked
out again when the loop wakes, so a timer's summary left from an earlier deadline changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow


class DeadlineTimer:
    """A workflow's timer for its next deadline, kept across wake-ups while the deadline stays put."""

    def __init__(self) -> None:
        self._timer: asyncio.Task[None] | None = None
        self._at: datetime | None = None

    async def wait(self, at: datetime | None, summary: str, woken: Callable[[], bool]) -> None:
        """Sleep until `at` (None: no deadline, only `woken`), or until `woken()` holds; return at once if `at`
        has passed."""
        if at != self._at:
            self.cancel()
            if at is not None:
                delay = at - workflow.now()
                if delay <= timedelta(0):
                    return
                self._timer = asyncio.create_task(workflow.sleep(delay, summary=summary))
                self._at = at
        timer = self._timer
        await workflow.wait_condition(lambda: woken() or (timer is not None and timer.done()))
        if timer is not None and timer.done():
            self._timer, self._at = None, None

    def cancel(self) -> None:
        """Drop the timer (a workflow that has ended must not leave one running: a test server would skip to it)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._at = None, None
