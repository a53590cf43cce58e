"""`CohortWorkflow`: one cohort (pulje) of school owners: invitations, answers, and starting their periods.

Like `GuidancePeriodWorkflow`, the workflow holds the cohort's state; the rules live in `domain.cohort` (pure),
and `domain.cohort_changes` says what each event causes (records, signals), every side effect in an activity.
Handlers apply the event and queue its effects;
a writer task writes the records in order, and a starter task starts the periods of the owners that
accepted, so an update's answer never waits for PostgreSQL or for a child to start.

How periods start: through the `start_periods` activity, client starts of up to 50 per activity and all
batches at once, each with the id ``guidance-period-{cohort}-{owner_id}`` and ``REJECT_DUPLICATE``, so a
retried activity finds the periods it started before and reports them as started, never making a second
one (activities/period_starts.py). A period so started has no parent and never dies with its cohort. Not
child workflows: one parent starting hundreds of children serialises them on its own history, and a
371-owner cohort would start several times slower than plain client starts (bench/cohort_start.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError

from workflows.deadline_timer import DeadlineTimer
from workflows.record_writer import RECORD_RETRY, RECORD_TIMEOUT, RecordWriter
from workflows.start_input import admit

with workflow.unsafe.imports_passed_through():
    from domain import cohort as rules
    from domain import cohort_changes as changes
    from domain import gatherings as gathering_rules
    from domain import period as period_rules
    from domain.contract import (
        COHORT,
        PERIOD_ADVISERS_SIGNAL,
        PERIOD_PROGRESS_SIGNAL,
        Activities,
        InvalidStartInput,
    )
    from domain.effects import Effects, Occasion
    from domain.models import PeriodAdvisers, PeriodProgress
    from domain.programme import ProgrammePlan
    from domain.records import PeriodsStarted
# Starting a batch of periods takes a few seconds; a lost worker is noticed by the timeout.
START_TIMEOUT = timedelta(minutes=2)
START_HEARTBEAT = timedelta(seconds=15)
# Our own bound beside Temporal's suggestion: a cohort hands over to a fresh run after this many events.
CONTINUE_AS_NEW_AFTER_EVENTS = 10_000
# Period starts and signals issued together, at most (each batch is one workflow task's commands).
START_BATCH = 500
SIGNAL_BATCH = 200
# Periods per `start_periods` activity (all batches run at once; at most `domain.records.MAX_PERIOD_STARTS`);
# records written at once.
PERIODS_PER_ACTIVITY = 50
RECORD_BATCH = 20


@workflow.defn(failure_exception_types=[InvalidStartInput])  # a start input that does not decode fails the cohort
class CohortWorkflow:
    """One cohort of guidance periods; id ``cohort-{cohort}``.

    Updates (validated before anything reaches history; each answers `CohortStatus`):
        respond_to_invitation: an owner accepts or declines (`RespondToInvitation`).
        add_gathering: a coordinator adds a national gathering (`AddGathering`).
        move_gathering: a coordinator moves one (`MoveGathering`); owners get the same event, updated.
        schedule_network_meeting: a meeting for every owner of a network (`ScheduleNetworkMeeting`).
    Signals:
        period_progress: a period of the cohort reports its phase, overdue flag and end.
    Queries:
        status: the cohort's `CohortStatus`.
    """

    @workflow.init
    def __init__(self, cohort: rules.CohortInput | rules.CohortState) -> None:
        # A new cohort gets its input; a cohort continued-as-new gets its whole state back, and only then.
        admit(cohort, rules.CohortState, rules.CohortInput)
        self._state: rules.CohortState | None = cohort if isinstance(cohort, rules.CohortState) else None
        self._input = cohort.input if isinstance(cohort, rules.CohortState) else cohort
        self._revision = 0
        self._starting = 0
        self._signalling = False
        self._timer = DeadlineTimer()

    @workflow.run
    async def run(self, cohort: rules.CohortInput | rules.CohortState) -> rules.CohortStatus:
        if self._state is None:
            assert isinstance(cohort, rules.CohortInput)
            # Once per cohort: every period of the cohort runs on the same resolved plan.
            plan: ProgrammePlan = await workflow.execute_activity(
                Activities.LOAD_PROGRAMME_PLAN,
                cohort.plan,
                result_type=ProgrammePlan,
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RECORD_RETRY,
                summary=f"load plan {cohort.plan}",
            )
            self._state = rules.new_state(cohort, plan, workflow.now())
            self._queue(changes.opened(self._state, self._occasion()))
        state = self._state
        workflow.upsert_search_attributes([COHORT.value_set(state.input.cohort)])
        # A cohort's records are keyed each on its own (newer rows win), so they are written in batches.
        self._writer = RecordWriter(state, on_written=self._changed, parallel=RECORD_BATCH)
        writer = asyncio.create_task(self._writer.write())
        starter = asyncio.create_task(self._start_periods())
        messenger = asyncio.create_task(self._send_signals())
        try:
            # The cohort ends with its last period (`rules.is_finished`).
            while True:
                self._publish()
                if rules.is_finished(state) and workflow.all_handlers_finished():
                    break
                if self._may_continue_as_new():
                    workflow.continue_as_new(state)
                await self._wait_for_next_deadline()
                self._queue(changes.deadlines_passed(state, self._occasion()))
        finally:
            writer.cancel()
            starter.cancel()
            messenger.cancel()
        return self._status()

    # --- updates, signal and query -----------------------------------------------------------------

    @workflow.update
    async def respond_to_invitation(self, request: rules.RespondToInvitation) -> rules.CohortStatus:
        """An owner accepts or declines; an acceptance starts its guidance period."""
        # An answer that arrives while the cohort loads its plan waits for it (no more than a moment).
        await workflow.wait_condition(lambda: self._state is not None)
        self._check(rules.check_response, request)
        return self._answer(changes.response(self._live, request, self._occasion(self._update_key())))

    @respond_to_invitation.validator
    def _validate_respond_to_invitation(self, request: rules.RespondToInvitation) -> None:
        if self._state is None:
            # Still loading the plan: only what the input tells can be checked now; the handler checks the rest.
            self._check_invited(request)
            return
        self._check(rules.check_response, request)

    @workflow.update
    def add_gathering(self, request: gathering_rules.AddGathering) -> rules.CohortStatus:
        """Add a national gathering; its invitations go out as the plan says (at once if that day has passed)."""
        self._check(self._check_add_gathering, request)
        effects = changes.gathering_added(self._live, request)
        workflow.logger.info("gathering %s added by %s", effects.created, request.by)
        return self._answer(effects)

    @add_gathering.validator
    def _validate_add_gathering(self, request: gathering_rules.AddGathering) -> None:
        self._check(self._check_add_gathering, request)

    @workflow.update
    def move_gathering(self, request: gathering_rules.MoveGathering) -> rules.CohortStatus:
        """Move a gathering; owners already invited get the same calendar event with a higher sequence."""
        self._check(self._check_move_gathering, request)
        effects = changes.gathering_moved(self._live, request)
        workflow.logger.info("gathering %s moved by %s", effects.created, request.by)
        return self._answer(effects)

    @move_gathering.validator
    def _validate_move_gathering(self, request: gathering_rules.MoveGathering) -> None:
        self._check(self._check_move_gathering, request)

    @workflow.update
    def schedule_network_meeting(self, request: rules.ScheduleNetworkMeeting) -> rules.CohortStatus:
        """Agree (or move, given its ``meeting_id``) a meeting for every running period of a network."""
        self._check(rules.check_network_meeting, request)
        effects = changes.network_meeting(self._live, request)
        workflow.logger.info("network meeting %s on %s for %s", effects.created, request.date, request.network)
        return self._answer(effects)

    @schedule_network_meeting.validator
    def _validate_schedule_network_meeting(self, request: rules.ScheduleNetworkMeeting) -> None:
        self._check(rules.check_network_meeting, request)

    @workflow.update
    def cancel_network_meeting(self, request: rules.CancelNetworkMeeting) -> rules.CohortStatus:
        """Cancel a network meeting that lies ahead in every running period of its network.

        A new update: only a cohort sent it produces its commands, so histories without it replay unchanged.
        """
        self._check(rules.check_cancel_network_meeting, request)
        effects = changes.network_meeting_cancelled(self._live, request, workflow.now())
        workflow.logger.info("network meeting %s cancelled by %s", effects.created, request.adviser)
        return self._answer(effects)

    @cancel_network_meeting.validator
    def _validate_cancel_network_meeting(self, request: rules.CancelNetworkMeeting) -> None:
        self._check(rules.check_cancel_network_meeting, request)

    @workflow.signal(name=PERIOD_PROGRESS_SIGNAL)
    async def period_progress(self, progress: PeriodProgress) -> None:
        """A period of the cohort reports where it stands; the newest report wins."""
        await workflow.wait_condition(lambda: self._state is not None)
        if rules.apply_progress(self._live, progress) is not None:
            self._revision += 1

    @workflow.signal(name=PERIOD_ADVISERS_SIGNAL)
    async def period_advisers(self, change: PeriodAdvisers) -> None:
        """A period of the cohort was given other advisers: its gathering invitations and network meetings follow.

        A new signal: only a period whose advisers change sends it, so histories without it replay unchanged.
        """
        await workflow.wait_condition(lambda: self._state is not None)
        if rules.apply_period_advisers(self._live, change):
            self._revision += 1

    @workflow.query
    def status(self) -> rules.CohortStatus:
        """Where every invitation and period of the cohort stands."""
        return self._status()

    # --- checks ------------------------------------------------------------------------------------

    def _check_invited(self, request: rules.RespondToInvitation) -> None:
        invited = [o.owner.id for o in self._input.owners]
        if request.owner_id not in invited:
            cohort = self._input.cohort
            rejection = period_rules.Rejection(
                "owner_id",
                f"{request.owner_id} is not invited to cohort {cohort}; invited: {', '.join(invited)}",
                code="owner_id.not_invited",
                owner_id=request.owner_id,
                cohort=cohort,
                invited=invited,
            )
            raise ApplicationError(str(rejection), rejection.details, type="UpdateRejected", non_retryable=True)

    @staticmethod
    def _check_add_gathering(state: rules.CohortState, request: gathering_rules.AddGathering, now: datetime) -> None:
        gathering_rules.check_add(state.gatherings, request, rules.today(state, now), state.plan)

    @staticmethod
    def _check_move_gathering(state: rules.CohortState, request: gathering_rules.MoveGathering, now: datetime) -> None:
        gathering_rules.check_move(state.gatherings, request, rules.today(state, now), state.plan)

    def _check(self, check: Callable[[rules.CohortState, Any, datetime], None], request: Any) -> None:
        """Run a domain check; a rejection becomes an error that names the field and what is allowed."""
        try:
            check(self._live, request, workflow.now())
        except period_rules.Rejection as rejection:
            # The details (code, field, params) let the edge say it in the person's language; the message stays.
            raise ApplicationError(
                str(rejection), rejection.details, type="UpdateRejected", non_retryable=True
            ) from None

    # --- helpers -----------------------------------------------------------------------------------

    @property
    def _id(self) -> str:
        return workflow.info().workflow_id

    @property
    def _live(self) -> rules.CohortState:
        if self._state is None:
            raise ApplicationError("the cohort is still starting (loading its plan); try again in a moment")
        return self._state

    def _status(self) -> rules.CohortStatus:
        return rules.status(self._live, self._id)

    @staticmethod
    def _update_key() -> str:
        info = workflow.current_update_info()
        return f"update:{info.id}" if info is not None else f"update:{workflow.uuid4()}"

    def _occasion(self, key: str = "") -> Occasion:
        return Occasion(self._id, workflow.now(), key)

    def _queue(self, effects: Effects) -> None:
        """Queue a change's records for the writer and its signals for the messenger; the main loop wakes."""
        state = self._live
        state.pending.extend(effects.records)
        state.signals_pending.extend(effects.signals)
        self._revision += 1

    def _answer(self, effects: Effects) -> rules.CohortStatus:
        """Queue an accepted update's effects; answer with the new status and the id of what it created."""
        self._queue(effects)
        return self._status().model_copy(update={"created": effects.created})

    async def _wait_for_next_deadline(self) -> None:
        seen = self._revision
        deadline = rules.next_deadline(self._live)
        at, summary = (deadline.at, deadline.summary) if deadline is not None else (None, "")
        await self._timer.wait(at, summary, lambda: self._revision != seen or self._may_continue_as_new())

    def _hand_over_soon(self) -> bool:
        """Temporal suggests a fresh run, or the history has grown past our own bound."""
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > CONTINUE_AS_NEW_AFTER_EVENTS

    def _may_continue_as_new(self) -> bool:
        return (
            self._hand_over_soon()
            and workflow.all_handlers_finished()
            and not self._writer.writing
            and not self._starting
            and not self._signalling
        )

    async def _start_periods(self) -> None:
        """Start the period of each owner that accepted; an owner leaves the list once started.

        Up to `START_BATCH` start together, so a cohort of hundreds of owners starts in a few workflow tasks.
        """
        state = self._live
        while True:
            await workflow.wait_condition(lambda: bool(state.starts_pending) and not self._hand_over_soon())
            self._starting += 1
            try:
                pending = state.starts_pending[:START_BATCH]
                batches = [pending[i : i + PERIODS_PER_ACTIVITY] for i in range(0, len(pending), PERIODS_PER_ACTIVITY)]
                await asyncio.gather(*(self._start_batch(batch) for batch in batches))
            finally:
                self._starting -= 1

    async def _start_batch(self, owner_ids: list[str]) -> None:
        """Start the periods of a batch of owners through the `start_periods` activity."""
        state = self._live
        batch = rules.period_starts(state, owner_ids)
        result: PeriodsStarted = await workflow.execute_activity(
            Activities.START_PERIODS,
            batch,
            result_type=PeriodsStarted,
            start_to_close_timeout=START_TIMEOUT,
            heartbeat_timeout=START_HEARTBEAT,
            retry_policy=RECORD_RETRY,
            summary=f"start {len(owner_ids)} periods",
        )
        if result.already_started:
            workflow.logger.info("%d periods were started by an earlier attempt", len(result.already_started))
        self._queue(changes.periods_started(state, owner_ids, result, self._occasion()))

    async def _send_signals(self) -> None:
        """Send the queued signals to periods (gatherings, network meetings), a batch at a time."""
        state = self._live
        while True:
            await workflow.wait_condition(lambda: bool(state.signals_pending) and not self._hand_over_soon())
            batch = state.signals_pending[:SIGNAL_BATCH]
            self._signalling = True
            try:
                await asyncio.gather(*(self._signal(item) for item in batch))
            finally:
                self._signalling = False
            del state.signals_pending[: len(batch)]
            self._revision += 1

    async def _signal(self, item: rules.PendingSignal) -> None:
        try:
            await workflow.get_external_workflow_handle(item.workflow_id).signal(item.signal, item.payload)
        except FailureError as error:
            # The period has ended since it last reported: it has no use for the signal.
            workflow.logger.warning("%s to %s not delivered: %s", item.signal, item.workflow_id, error)

    def _changed(self) -> None:
        self._revision += 1

    def _publish(self) -> None:
        workflow.set_current_details(rules.one_line(self._live))
