"""The cohort workflows' own answers (`status`: every invitation, the planned gatherings), kept a few seconds.

Every view of a cohort (its page, timeline, report) asks its workflow: a query the worker answers with the whole
cohort, several hundred invitations, decoded again here. Fifty people on a cohort's pages at once asked it fifty
times a second for the same answer. Kept for `seconds` (the settings' `cohort_status_seconds`), a page shows the
workflow's state as it was at most that long ago; requests that come while it is being asked wait for the one
answer. An answer that did not come (None: the cohort ended, or Temporal is slow) is not kept, so the next view
asks again.

Each instance of the web app keeps its own answers, so a person's change must be shown whichever instance serves
their next page: the person's session notes when they changed a cohort (`note_change`, webapp/own_changes.py), and
a view of that cohort in that session takes no answer asked before it (`changed_at`). Everyone else sees the change
within `seconds`. An answer's age is measured on the process's monotonic clock (a wall clock stepped back would keep
it forever); the moments compared across instances are the wall's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, NamedTuple

from domain.cohort import CohortStatus
from webapp import own_changes

Ask = Callable[[], Awaitable[CohortStatus | None]]


class _Asked(NamedTuple):
    monotonic: float
    wall: float
    answer: asyncio.Future[CohortStatus | None]


class LiveCohorts:
    def __init__(
        self, seconds: float, clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._wall = wall
        self._kept: dict[str, _Asked] = {}

    async def status(self, cohort: str, ask: Ask, changed_at: float | None = None) -> CohortStatus | None:
        """The cohort's answer asked at most `seconds` ago and not before `changed_at`, else `ask()`'s (one question
        at a time per cohort)."""
        now = self._clock()
        kept = self._kept.get(cohort)
        if kept is None or now - kept.monotonic >= self.seconds or (changed_at is not None and kept.wall < changed_at):
            asked = _Asked(now, self._wall(), asyncio.ensure_future(ask()))
            self._kept[cohort] = kept = asked
            asked.answer.add_done_callback(lambda _: self._unless_answered(cohort, asked))
        # Shielded: a request that goes away does not cancel the question the others wait on.
        return await asyncio.shield(kept.answer)

    def _unless_answered(self, cohort: str, asked: _Asked) -> None:
        done = asked.answer
        failed = done.cancelled() or done.exception() is not None or done.result() is None
        if failed and self._kept.get(cohort) is asked:
            del self._kept[cohort]

    def note_change(self, session: MutableMapping[str, Any], cohort: str) -> None:
        """The session's person has changed `cohort`: their next views of it ask its workflow, on any instance."""
        own_changes.note(session, f"cohort {cohort}", self._wall())

    @staticmethod
    def changed_at(session: MutableMapping[str, Any], cohort: str) -> float | None:
        """When the session's person last changed `cohort`, if they did lately."""
        return own_changes.noted_at(session, f"cohort {cohort}")
