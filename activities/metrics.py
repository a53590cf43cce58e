"""The application's own metrics, served beside the Temporal SDK's on the worker's Prometheus endpoint.

- ``guidance_reminders_sent{kind}`` and ``guidance_escalations_sent`` (counters): notices the record store
  wrote for the first time, counted by the activity that wrote them (a retried activity counts nothing
  twice). They go through the activity's metric meter, so they carry the SDK's ``namespace``,
  ``task_queue`` and ``activity_type`` labels and reset when the worker restarts, as counters do.
- ``guidance_periods{phase}`` and ``guidance_periods_overdue`` (gauges): read from the record store's
  ``periods`` table every ``GUIDANCE_METRICS_REFRESH_SECONDS``. Every worker reports the same figures
  (they describe the store, not the worker), so aggregate them with ``max``, never ``sum``.

Workflow code is untouched: whatever a period does reaches these metrics through its records.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import asyncpg
import structlog
from temporalio import activity
from temporalio.common import MetricMeter

from domain.phases import Phase

log = structlog.get_logger("metrics")

REMINDERS_SENT: Final = "guidance_reminders_sent"
ESCALATIONS_SENT: Final = "guidance_escalations_sent"
PERIODS: Final = "guidance_periods"
PERIODS_OVERDUE: Final = "guidance_periods_overdue"

# An open period is overdue when its last record says so, or when its due date has passed since (a
# reminder may be configured to follow days later, and only a reminder writes the period again).
PERIOD_FIGURES = """
SELECT phase, count(*) AS periods,
       count(*) FILTER (WHERE ended_at IS NULL AND (overdue OR phase_due_at < now())) AS overdue
FROM periods
GROUP BY phase
"""


def count_notice_sent(kind: str) -> None:
    """Count one reminder (``kind`` is its kind) or escalation sent; call it from the activity that sent it."""
    meter = activity.metric_meter()
    if kind == "escalation":
        meter.create_counter(ESCALATIONS_SENT, "Escalations sent to the Directorate").add(1)
    else:
        meter.create_counter(REMINDERS_SENT, "Reminders sent to advisers, by kind").add(1, {"kind": kind})


class PeriodGauges:
    """The gauges of periods by phase and of overdue periods, set from one query of the record store.

    Args:
        pool: The record store's connection pool.
        meter: The runtime's meter (``Runtime.metric_meter``), the one its Prometheus endpoint serves.
    """

    def __init__(self, pool: asyncpg.Pool, meter: MetricMeter) -> None:
        self._pool = pool
        self._periods = meter.create_gauge(PERIODS, "Guidance periods in the record store, by phase")
        self._overdue = meter.create_gauge(PERIODS_OVERDUE, "Open guidance periods past their phase's due date")

    async def refresh(self) -> dict[str, int]:
        """Read the figures and set the gauges; every phase is set, so a phase that empties shows 0.

        Returns:
            Periods by phase, and the overdue count under ``"overdue"``.
        """
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(PERIOD_FIGURES)
        by_phase = {str(phase): 0 for phase in Phase}
        overdue = 0
        for row in rows:
            by_phase[row["phase"]] = row["periods"]
            overdue += row["overdue"]
        for phase, count in by_phase.items():
            self._periods.set(count, {"phase": phase})
        self._overdue.set(overdue)
        return {**by_phase, "overdue": overdue}

    async def run(self, every: float) -> None:
        """Refresh every `every` seconds until cancelled; a store that is down only skips a refresh."""
        while True:
            try:
                await self.refresh()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("period gauges not refreshed", error=str(error))
            await asyncio.sleep(every)

    @asynccontextmanager
    async def reporting(self, every: float) -> AsyncIterator[None]:
        """Refresh the gauges in the background while the block runs."""
        task = asyncio.create_task(self.run(every), name="period-gauges")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
