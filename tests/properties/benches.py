"""A live period and a live cohort on the time-skipping server: the suite's harness (tests/helpers/harness.py)
with one workflow kept for the examples of a property.

Each property sends its examples to the same workflow while it lives; a period that an accepted example has
ended (a withdrawal, the last milestone) is replaced by a fresh one before the next example.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from hypothesis.errors import UnsatisfiedAssumption

from domain.phases import is_terminal
from tests.helpers.harness import CohortHandle, Harness, PeriodHandle
from workflows.guidance_period import GuidancePeriodWorkflow

#: How long a workflow may take to write its records and send its signals after an example.
SETTLE_SECONDS = 10.0


@dataclass(repr=False)
class Bench(Harness):
    """A harness whose workflow serves example after example while they pass (`PeriodBench`, `CohortBench`)."""

    #: The last example passed: the current workflow is fit for the next one.
    trusted: bool = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task_queue={self.task_queue!r})"

    def abandon(self, workflow_ids: list[str]) -> None:
        """Workflows a failed example may have left stuck (a workflow task failing for ever): ended at once."""
        for workflow_id in workflow_ids:
            self.track(workflow_id, at_once=True)


@dataclass(repr=False)
class PeriodBench(Bench):
    current: PeriodHandle | None = None

    @contextlib.asynccontextmanager
    async def example(self) -> AsyncIterator[PeriodHandle]:
        """The period for one example: the current one while it is open and the last example passed.

        A failed example may have left its period stuck (a workflow task failing for ever), so the next
        example, a shrink of it among them, gets a fresh period.
        """
        if self.current is not None and not self.trusted:
            self.abandon([self.current.id])
            self.current = None
        if self.current is not None:
            status = await self.current.query(GuidancePeriodWorkflow.status)
            if is_terminal(status.phase):
                self.current = None
        if self.current is None:
            self.current = await self.start_period()
        self.trusted = False
        try:
            yield self.current
        except UnsatisfiedAssumption:
            self.trusted = True  # the example was left out before it was sent
            raise
        self.trusted = True

    async def stop_all(self) -> None:
        if self.current is not None and not self.trusted:
            self.abandon([self.current.id])
        await super().stop_all()


def _owner(owner_id: str, name: str, advisers: list[str], **more: Any) -> dict[str, Any]:
    kind = "municipality" if len(owner_id) == 4 else "county_authority"
    return {
        "owner": {"id": owner_id, "name": name, "kind": kind, "county": owner_id[:2]},
        "advisers": advisers,
        **more,
    }


#: Three owners whose periods run from the start (two share a network), and eight that may still answer.
COHORT_OWNERS = [
    _owner("3301", "Drammen", ["a.hansen"], accepted_by="SF Buskerud"),
    _owner("4617", "Kvinnherad", ["d.lie"], network="Sunnhordland", accepted_by="SF Vestland"),
    _owner("4613", "Bømlo", ["e.dahl", "d.lie"], network="Sunnhordland", accepted_by="SF Vestland"),
    _owner("1103", "Stavanger", ["b.olsen", "c.berg"], schools=["Hundvåg skole"]),
    _owner("0301", "Oslo - Oslove", ["f.moe"]),
    _owner("5001", "Trondheim - Tråante", ["g.nilsen"], network="Trondheimsfjorden"),
    _owner("1804", "Bodø", ["h.strand"]),
    _owner("4204", "Kristiansand", ["i.berge"]),
    _owner("3907", "Sandefjord", ["j.vik"]),
    _owner("5501", "Tromsø", ["k.haugen"]),
    _owner("46", "Vestland fylkeskommune", ["l.aas"]),
]


@dataclass(repr=False)
class CohortBench(Bench):
    current: CohortHandle | None = None

    @contextlib.asynccontextmanager
    async def example(self) -> AsyncIterator[CohortHandle]:
        """The cohort for one example: the same while examples pass, a fresh one after a failed example.

        The cohort never ends here: its periods run on, as the server's clock is not moved.
        """
        if self.current is not None and not self.trusted:
            self.abandon(self.started[self.started.index(self.current.id) :])
            self.current = None
        if self.current is None:
            cohort = await self.cohort_input(owners=COHORT_OWNERS, reply_days=40, no_reply_after_days=20)
            self.current = await self.start_cohort(cohort)
        self.trusted = False
        try:
            yield self.current
        except UnsatisfiedAssumption:
            self.trusted = True  # the example was left out before it was sent
            raise
        self.trusted = True

    async def stop_all(self) -> None:
        if self.current is not None and not self.trusted:
            self.abandon(self.started[self.started.index(self.current.id) :])
        await super().stop_all()


class SignalDrops(logging.Handler):
    """Keeps the SDK's "dropping the signal" log records: where a refused signal's message goes."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "dropping the signal" in record.getMessage():
            self.records.append(record)

    def causes(self, record: logging.LogRecord) -> list[str]:
        """The messages of the record's exception and its causes."""
        found = []
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            found.append(f"{type(error).__name__}: {error}")
            error = error.__cause__
        return found
