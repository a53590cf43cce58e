"""The record writer both workflows share: queued records written in order, each through its activity.

Handlers only queue records in the workflow's state, so an update is answered at once and a record
store that is down only delays the writing; the queue travels with the state through continue-as-new.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

with workflow.unsafe.imports_passed_through():
    from domain.contract import INVALID_RECORD
    from domain.models import PendingRecord, RefusedRecord

# Records are retried until PostgreSQL takes them: a workflow must never fail because the record store
# is down for a while. A record the store refuses as invalid is not retried; it is kept aside.
RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    non_retryable_error_types=[INVALID_RECORD],
)
RECORD_TIMEOUT = timedelta(seconds=30)
#: Attempts before a record counts as stalled: 1 + 2 + 4 + ... + 32 s of RECORD_RETRY's backoff, about a minute
#: (longer if attempts hang until RECORD_TIMEOUT). A limit on attempts, not a schedule-to-close timeout: that
#: would add a timer on the server to every record, which fires a minute later for nothing.
STALL_ATTEMPTS = 7


class HasRecordQueue(Protocol):
    """A workflow state with a queue of records to write and a list of those the store refused."""

    pending: list[PendingRecord]
    refused: list[RefusedRecord]


class RecordWriter:
    """Writes a state's queued records in order; a record leaves the queue once written.

    Run `write` as a task of the workflow. It pauses between records while Temporal suggests
    continue-as-new, so the main loop can hand over (`writing` is false then); after `close` it
    writes what is left and returns.

    A workflow that waits for its records before it shows a change (a period's search attributes) calls
    `bound_attempts`: each record then gets that many attempts (`STALL_ATTEMPTS`, about a minute of retries);
    if it has not gone in (the store is down), the writer is `stalled`, says so through `on_stalled` and goes
    on trying without a limit, and it is no longer stalled once the store has taken or refused a record.
    `written` counts the records that have left the queue in this run.
    """

    def __init__(
        self,
        state: HasRecordQueue,
        *,
        on_written: Callable[[], None] = lambda: None,
        on_stalled: Callable[[], None] = lambda: None,
        parallel: int = 1,
    ) -> None:
        """Args:
        state: The workflow's state with its record queue.
        on_written: Called after each record (or batch) leaves the queue.
        on_stalled: Called when a record has not gone in within the attempts given to `bound_attempts`.
        parallel: Records written at once. Above 1 only for records whose order does not matter (each
            keyed on its own, newer rows winning), such as a cohort's invitations and gatherings.
        """
        self._state = state
        self._on_written = on_written
        self._on_stalled = on_stalled
        self._parallel = parallel
        self._closing = False
        self._unlimited = False  # a record is being written without that bound
        self.writing = False
        self.written = 0
        self._stall_after: int | None = None  # attempts per record before it counts as stalled (`bound_attempts`)
        self.stalled = False

    def bound_attempts(self, attempts: int) -> None:
        """Give each record `attempts` before the writer counts as stalled (one record at a time only: the
        flags below describe the one record being written)."""
        if self._parallel != 1:
            raise ValueError("a writer of records in parallel cannot bound their attempts")
        self._stall_after = attempts

    @property
    def keeping_up(self) -> bool:
        """No record has stalled, and none is being written without the `bound_attempts` limit."""
        return not self.stalled and not (self.writing and self._unlimited)

    def close(self) -> None:
        """Write what is queued, then stop."""
        self._closing = True

    async def write(self) -> None:
        state = self._state
        while True:
            await workflow.wait_condition(
                lambda: self._closing or (bool(state.pending) and not workflow.info().is_continue_as_new_suggested())
            )
            if not state.pending:
                return
            self.writing = True
            try:
                if self._parallel == 1:
                    # One at a time, in the order they were queued: a period's records build on each other.
                    await self._write_one(state.pending[0])
                    count = 1
                else:
                    batch = state.pending[: self._parallel]
                    await asyncio.gather(*(self._write_one(item) for item in batch))
                    count = len(batch)
            finally:
                self.writing = False
            del state.pending[:count]
            self.written += count
            self._on_written()

    async def _write_one(self, item: PendingRecord) -> None:
        try:
            if self._stall_after is None or self.stalled or not await self._execute(item, self._stall_after):
                await self._execute(item, None)
        except ActivityError as error:
            # A record the store refuses as invalid (never a passing outage: that is retried) is
            # kept for an operator instead of failing a workflow that may have years to run.
            cause = error.cause
            if not (isinstance(cause, ApplicationError) and cause.type == INVALID_RECORD):
                raise
            workflow.logger.error("record refused by the store: %s: %s", item.summary, cause.message)
            self.stalled = False  # the store answered
            self._state.refused.append(RefusedRecord(**item.model_dump(), error=cause.message, at=workflow.now()))

    async def _execute(self, item: PendingRecord, attempts: int | None) -> bool:
        """Write one record through its activity, retried until it goes in or `attempts` have failed (False)."""
        self._unlimited = attempts is None
        try:
            await workflow.execute_activity(
                item.activity,
                item.payload,
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RECORD_RETRY if attempts is None else replace(RECORD_RETRY, maximum_attempts=attempts),
                summary=item.summary,
            )
        except ActivityError as error:
            if attempts is None or error.retry_state != RetryState.MAXIMUM_ATTEMPTS_REACHED:
                raise
            workflow.logger.warning("record store: %s not written in %d attempts; still trying", item.summary, attempts)
            self.stalled = True
            self._on_stalled()
            return False
        finally:
            self._unlimited = False
        self.stalled = False
        return True
