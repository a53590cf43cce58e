"""The cohort workflows' own answers (`status`: every invitation, the planned gatherings), kept a few seconds.

Every view of a cohort (its page, timeline, report) asks its workflow: a query the worker answers with the whole
cohort, several hundred invitations, decoded again here. Fifty people on a cohort's pages at once asked it fifty
times a second for the same answer. Kept for `seconds` (the settings' `cohort_status_seconds`), a page shows the
workflow's state as it was at most that long ago; requests that come while it is being asked wait for the one
answer. What this app changes in a cohort (answers, gatherings: `forget`) is shown at once. An answer that did
not come (None: the cohort ended, or Temporal is slow) is not kept, so the next view asks again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from domain.cohort import CohortStatus

Ask = Callable[[], Awaitable[CohortStatus | None]]


class LiveCohorts:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._kept: dict[str, tuple[float, asyncio.Future[CohortStatus | None]]] = {}

    async def status(self, cohort: str, ask: Ask) -> CohortStatus | None:
        """The cohort's answer asked at most `seconds` ago, else `ask()`'s (one question at a time per cohort)."""
        now = self._clock()
        kept = self._kept.get(cohort)
        if kept is None or now - kept[0] >= self.seconds:
            asked = (now, asyncio.ensure_future(ask()))
            self._kept[cohort] = kept = asked
            asked[1].add_done_callback(lambda _: self._unless_answered(cohort, asked))
        # Shielded: a request that goes away does not cancel the question the others wait on.
        return await asyncio.shield(kept[1])

    def _unless_answered(self, cohort: str, asked: tuple[float, asyncio.Future[CohortStatus | None]]) -> None:
        done = asked[1]
        failed = done.cancelled() or done.exception() is not None or done.result() is None
        if failed and self._kept.get(cohort) is asked:
            del self._kept[cohort]

    def forget(self, cohort: str) -> None:
        """This app has changed the cohort: the next view asks its workflow."""
        self._kept.pop(cohort, None)
