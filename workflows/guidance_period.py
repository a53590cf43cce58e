"""`GuidancePeriodWorkflow`: one school owner's guidance period (veiledningsperiode), up to 30 months.

The workflow holds the period's state; the rules live in `domain.period` (pure), and `domain.period_changes`
says what each event causes, every side effect in an activity. Updates are applied to the state at once and
answered with the new status; the records they produce are queued in the state and written in order by the
writer task, so an update's round trip never waits for PostgreSQL and a record is never lost (the queue
travels through continue-as-new).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ApplicationError, FailureError

from workflows.deadline_timer import DeadlineTimer
from workflows.record_writer import RECORD_RETRY, RECORD_TIMEOUT, STALL_ATTEMPTS, RecordWriter
from workflows.start_input import admit

with workflow.unsafe.imports_passed_through():
    from domain import competence, period_signals
    from domain import period as rules
    from domain import period_changes as changes
    from domain.contract import (
        PERIOD_PROGRESS_SIGNAL,
        PERIOD_STATUS_QUERY,
        REPORT_PROGRESS_TO_SIGNAL,
        Activities,
        InvalidStartInput,
    )
    from domain.effects import Effects, Occasion
    from domain.models import (
        CancelMeeting,
        ChangeAdvisers,
        GatheringInvitation,
        NetworkMeeting,
        PeriodInput,
        PeriodState,
        PeriodStatus,
        RecordCompetenceEnvironment,
        RecordMilestone,
        ScheduleMeeting,
        Withdraw,
    )
    from domain.phases import is_terminal
    from domain.programme import ProgrammePlan
    from domain.visibility import search_attributes


def current_details(state: PeriodState, now: datetime) -> str:
    """A short Markdown summary for the Web UI's "current details"."""
    owner = state.input.owner
    lines = [f"**{owner.name}** ({owner.id}), cohort {state.input.cohort}, plan {state.plan.name} {state.plan.version}"]
    if is_terminal(state.phase):
        lines.append(f"Ended: **{state.phase}**, {state.end_reason}")
    else:
        due = rules.phase_due_on(state)
        flag = " - **overdue**" if rules.is_overdue(state, now) else ""
        flag = flag or (" - **at risk**" if rules.is_at_risk(state, now) else "")
        lines.append(f"Phase **{state.phase}** (cycle {state.cycle}) since {state.phase_started_on}, due {due}{flag}")
    upcoming = sorted(
        (m for m in state.meetings if m.date >= rules.today(state, now) and m.cancelled_at is None),
        key=lambda m: m.date,
    )
    if upcoming:
        lines.append(f"Next meeting: {upcoming[0].date} {upcoming[0].kind}")
    if state.development_area:
        lines.append(f"Development area: {state.development_area}")
    environments = competence.in_cycle(state.competence_environments, state.cycle)
    if environments:
        lines.append("Competence environments: " + ", ".join(f"{e.environment_id} ({e.state})" for e in environments))
    scope = [f"network {state.input.network}"] if state.input.network else []
    if state.input.kindergarten_transition:
        scope.append("includes the kindergarten-to-school transition")
    if scope:
        lines.append("Scope: " + "; ".join(scope))
    reminders, escalations = rules.notice_counts(state)
    lines.append(
        f"Advisers: {', '.join(state.input.advisers)}; {_count(len(state.meetings), 'meeting')}, "
        f"{_count(reminders, 'reminder')}, {_count(escalations, 'escalation')}; ends {rules.ends_on(state)}"
    )
    if state.refused:
        lines.append(f"**{len(state.refused)} records refused by the record store** (see the worker log)")
    return "\n\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


#: Signals are held to the rules of their updates (`domain.period_signals`) from this patch on: one that breaks
#: them is left out, where a period before it recorded it (a record, an invitation), so histories before it
#: replay as they ran.
SIGNALS_CHECKED = "signals-held-to-update-rules"

#: A withdrawal cancels the period's meetings still ahead (a CANCEL to each) from this patch on; histories
#: withdrawn before it recorded no such records, and replay as they ran.
WITHDRAWAL_CANCELS_MEETINGS = "withdrawal-cancels-meetings"

#: A new period writes the meetings its plan proposes in one activity (`record_meetings`) from this patch on, where a
#: period before it wrote each in an activity of its own (a Temporal Cloud action each: some seventy for Leda's plan).
#: Asked only when a plan proposes two or more, so a period without them records no marker.
PLANNED_MEETINGS_IN_ONE = "planned-meetings-in-one-activity"


@workflow.defn(failure_exception_types=[InvalidStartInput])  # a start input that does not decode fails the period
class GuidancePeriodWorkflow:
    """One school owner's guidance period in a cohort; id ``guidance-period-{cohort}-{owner_id}``.

    Updates (validated before anything is written to history; each answers with the new status):
        record_milestone: close the current phase (`RecordMilestone`).
        schedule_meeting: agree or move a meeting on a working day within the period (`ScheduleMeeting`).
        cancel_meeting: cancel a meeting that lies ahead (`CancelMeeting`).
        withdraw: end the period early (`Withdraw`).
        change_advisers: give the period other advisers (`ChangeAdvisers`).
        record_competence_environment: propose a competence environment, or record the owner's contact or
            agreement with it (`RecordCompetenceEnvironment`).
    Signals:
        gathering_invitation: the Directorate invites the owner to a national gathering.
        network_meeting: the cohort passes on a meeting of the owner's network.
        report_progress_to: a cohort found the period running (started by hand) and wants its progress.
    A period started by a cohort (``report_to``), or found by one, signals ``period_progress`` to it when
    its phase, overdue flag or end changes.
    Queries:
        status: the period's `PeriodStatus`.
    """

    @workflow.init
    def __init__(self, period: PeriodInput | PeriodState) -> None:
        # A new period gets its input; a period continued-as-new gets its whole state back, and only then.
        admit(period, PeriodState, PeriodInput)
        self._state: PeriodState | None = period if isinstance(period, PeriodState) else None
        self._published: list[tuple[str, Any]] | None = None
        self._revision = 0  # counts changes, so the main loop wakes to republish and re-plan its timer
        self._reported: tuple[object, ...] | None = None  # the progress the cohort was last told
        self._reporting: set[asyncio.Task[None]] = set()  # reports to the cohort on their way
        self._timer = DeadlineTimer()
        self._hold_until: int | None = None  # a change waits until the writer has written this many records
        if isinstance(period, PeriodInput) and period.programme is not None:
            # Begun here, not in `run`: an update in the first workflow task is handled before `run` starts.
            self._begin(period, period.programme)

    # --- main loop --------------------------------------------------------------------------------

    @workflow.run
    async def run(self, period: PeriodInput | PeriodState) -> PeriodStatus:
        if self._state is None:
            assert isinstance(period, PeriodInput)
            plan: ProgrammePlan = await workflow.execute_activity(
                Activities.LOAD_PROGRAMME_PLAN,
                period.plan,
                result_type=ProgrammePlan,
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RECORD_RETRY,
                summary=f"load plan {period.plan}",
            )
            self._begin(period, plan)
        state = self._live
        # Records are written by a task of their own, so deadlines and the Web UI stay current while
        # PostgreSQL is slow or down.
        self._writer = RecordWriter(state, on_written=self._records_moved, on_stalled=self._records_moved)
        self._writer.bound_attempts(STALL_ATTEMPTS)  # a change waits for its records a minute at most
        writing = asyncio.create_task(self._writer.write())
        while not is_terminal(state.phase):
            self._publish()
            if self._may_continue_as_new():
                workflow.continue_as_new(state)
            deadline = rules.next_deadline(state)
            assert deadline is not None  # an open period always has its end ahead
            await self._wait_until(deadline)
            if not is_terminal(state.phase):
                self._queue(changes.deadlines_passed(state, self._occasion()))
        self._timer.cancel()
        self._queue(changes.ended(state, self._occasion()))
        self._writer.close()
        # While the store is down the end goes out all the same, as any change does.
        await workflow.wait_condition(lambda: writing.done() or self._writer.stalled)
        if not writing.done():
            self._publish()
        await writing
        self._publish()
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._reporting)
        return self._status()

    def _begin(self, period: PeriodInput, plan: ProgrammePlan) -> None:
        """A new period: its state, with its start recorded before any update can change it."""
        state = self._state = rules.new_state(period, plan)
        # The cohort knows a period it started begins in the first phase: report changes only.
        self._reported = rules.progress_fingerprint(state, workflow.now(), overdue=False)
        planned_in_one = lambda: workflow.patched(PLANNED_MEETINGS_IN_ONE)  # noqa: E731 (asked only when it matters)
        self._queue(changes.started(state, self._occasion(), planned_in_one=planned_in_one))

    # --- updates ----------------------------------------------------------------------------------

    @workflow.update
    def record_milestone(self, update: RecordMilestone) -> PeriodStatus:
        """Close the current phase with its milestone; the period moves to the next phase."""
        self._check(rules.check_milestone, update)
        return self._answer(changes.milestone(self._live, update, self._occasion(self._update_key())))

    @record_milestone.validator
    def _validate_record_milestone(self, update: RecordMilestone) -> None:
        self._check(rules.check_milestone, update)
        self._check(rules.check_milestone_started, update)  # validator only: see domain.period

    @workflow.update
    def schedule_meeting(self, request: ScheduleMeeting) -> PeriodStatus:
        """Agree a meeting on a working day within the period, or move one given its ``meeting_id``."""
        self._check(rules.check_meeting, request)
        return self._answer(changes.meeting(self._live, request, self._occasion(self._update_key())))

    @schedule_meeting.validator
    def _validate_schedule_meeting(self, request: ScheduleMeeting) -> None:
        self._check(rules.check_meeting, request)
        self._check(rules.check_meeting_started, request)  # validator only: see domain.period

    @workflow.update
    def cancel_meeting(self, request: CancelMeeting) -> PeriodStatus:
        """Cancel a meeting that lies ahead; its invitation is withdrawn (iTIP CANCEL, same UID).

        A new update: its commands only run when it is sent, so histories without it replay unchanged.
        """
        self._check(rules.check_meeting_cancel, request)
        return self._answer(changes.meeting_cancelled(self._live, request, self._occasion(self._update_key())))

    @cancel_meeting.validator
    def _validate_cancel_meeting(self, request: CancelMeeting) -> None:
        self._check(rules.check_meeting_cancel, request)

    @workflow.update
    def withdraw(self, request: Withdraw) -> PeriodStatus:
        """End the period early; it closes as ``withdrawn``, and its meetings still ahead are cancelled."""
        self._check(rules.check_withdrawal, request)
        cancel_meetings = workflow.patched(WITHDRAWAL_CANCELS_MEETINGS)
        return self._answer(
            changes.withdrawal(self._live, request, self._occasion(self._update_key()), cancel_meetings=cancel_meetings)
        )

    @withdraw.validator
    def _validate_withdraw(self, request: Withdraw) -> None:
        self._check(rules.check_withdrawal, request)

    @workflow.update
    def change_advisers(self, request: ChangeAdvisers) -> PeriodStatus:
        """Give the period other advisers; its row, audit log and ``Advisers`` search attribute follow.

        A new update: its commands (the record, the upsert) only run when it is sent, so histories without it
        replay unchanged.
        """
        self._check(rules.check_advisers_change, request)
        return self._answer(changes.advisers_changed(self._live, request, self._occasion(self._update_key())))

    @change_advisers.validator
    def _validate_change_advisers(self, request: ChangeAdvisers) -> None:
        self._check(rules.check_advisers_change, request)

    @workflow.update
    def record_competence_environment(self, request: RecordCompetenceEnvironment) -> PeriodStatus:
        """Propose a competence environment for the period's development area, or record the owner's contact or
        agreement with one (`domain.competence`).

        A new update: its commands (the record) only run when it is sent, so histories without it replay unchanged.
        """
        self._check(competence.check_competence_environment, request)
        return self._answer(changes.competence_environment(self._live, request, self._occasion(self._update_key())))

    @record_competence_environment.validator
    def _validate_record_competence_environment(self, request: RecordCompetenceEnvironment) -> None:
        self._check(competence.check_competence_environment, request)

    # --- signal and query -------------------------------------------------------------------------

    @workflow.signal
    async def gathering_invitation(self, invitation: GatheringInvitation) -> None:
        """The Directorate invites the owner to a national gathering (a repeated id moves it)."""
        await workflow.wait_condition(lambda: self._state is not None)
        if self._left_out("gathering", invitation.gathering_id, period_signals.gathering_left_out, invitation):
            return
        effects = changes.gathering(self._live, invitation, self._occasion())
        if effects.left_out:
            workflow.logger.warning("gathering %s ignored: %s", invitation.gathering_id, effects.left_out)
        self._queue(effects)

    @workflow.signal
    async def network_meeting(self, meeting: NetworkMeeting) -> None:
        """The cohort passes on a meeting shared by the owner's network (a higher sequence moves it)."""
        await workflow.wait_condition(lambda: self._state is not None)
        if self._left_out("network meeting", meeting.meeting_id, period_signals.network_meeting_left_out, meeting):
            return
        effects = changes.network_meeting(self._live, meeting, self._occasion())
        if effects.left_out:
            workflow.logger.info("network meeting %s left out: %s", meeting.meeting_id, effects.left_out)
        self._queue(effects)

    @workflow.signal(name=REPORT_PROGRESS_TO_SIGNAL)
    async def report_progress_to(self, cohort_workflow_id: str) -> None:
        """A cohort found this period running (started by hand before it): tell it of progress from now on."""
        await workflow.wait_condition(lambda: self._state is not None)
        state = self._live
        if workflow.patched(SIGNALS_CHECKED):
            reason = period_signals.progress_cohort_left_out(state, cohort_workflow_id)
            if reason is not None:
                workflow.logger.warning("report_progress_to ignored: %s", reason)
                return
        if (state.report_to or state.input.report_to) == cohort_workflow_id:
            return  # the cohort's own period, or the signal again: nothing changes
        state.report_to = cohort_workflow_id
        self._reported = None  # the cohort knows nothing of this period yet: the next publish reports
        self._revision += 1

    @workflow.query(name=PERIOD_STATUS_QUERY)
    def status(self) -> PeriodStatus:
        """Where the period stands."""
        return self._status()

    # --- helpers ----------------------------------------------------------------------------------

    @property
    def _id(self) -> str:
        return workflow.info().workflow_id

    @property
    def _live(self) -> PeriodState:
        if self._state is None:
            raise ApplicationError("the period is still starting (loading its plan); try again in a moment")
        return self._state

    def _status(self) -> PeriodStatus:
        return rules.status(self._live, self._id, workflow.now())

    def _check(self, check: Any, request: Any) -> None:
        """Run a domain check; a rejection becomes an error that names the field and what is allowed.

        Validators call it before anything reaches history; handlers call it again because another
        update handled in the same workflow task may have changed the state since validation.
        """
        try:
            check(self._live, request, workflow.now())
        except rules.Rejection as rejection:
            # The details (code, field, params) let the edge say it in the person's language; the message stays.
            raise ApplicationError(
                str(rejection), rejection.details, type="UpdateRejected", non_retryable=True
            ) from None

    def _left_out(
        self, kind: str, name: str, check: Callable[[PeriodState, Any, datetime], str | None], sent: Any
    ) -> bool:
        """Whether a signal breaks its update's rules (`domain.period_signals`); it is then logged and ignored."""
        if not workflow.patched(SIGNALS_CHECKED):
            return False
        reason = check(self._live, sent, workflow.now())
        if reason is not None:
            workflow.logger.warning("%s %s ignored: %s", kind, name, reason)
        return reason is not None

    @staticmethod
    def _update_key() -> str:
        info = workflow.current_update_info()
        return f"update:{info.id}" if info is not None else f"update:{workflow.uuid4()}"

    def _occasion(self, key: str = "") -> Occasion:
        return Occasion(self._id, workflow.now(), key)

    def _queue(self, effects: Effects) -> None:
        """Queue a change's records for the writer; the main loop wakes to publish the change. Its signals (to the
        cohort: only `change_advisers` has one) go out at once."""
        if effects.records:
            self._live.pending.extend(effects.records)
            self._revision += 1
        for signal in effects.signals:
            self._track(self._send_signal(signal.workflow_id, signal.signal, signal.payload))

    def _answer(self, effects: Effects) -> PeriodStatus:
        """Queue an accepted update's records; answer with the new status and the id of what it created."""
        self._queue(effects)
        return self._status().model_copy(update={"created": effects.created})

    async def _wait_until(self, deadline: rules.Deadline) -> None:
        """Sleep until the deadline; a change, or a chance to continue-as-new, wakes the loop early."""
        seen = self._revision
        await self._timer.wait(
            deadline.at, deadline.summary, lambda: self._revision != seen or self._may_continue_as_new()
        )

    def _may_continue_as_new(self) -> bool:
        """Temporal suggests a fresh run, no handler is busy and no record is being written.

        The whole state travels, queued records included, so nothing is lost; waiting for the writer
        keeps a record from being written twice (harmless, as every write is idempotent, but untidy).
        """
        return (
            workflow.info().is_continue_as_new_suggested()
            and workflow.all_handlers_finished()
            and not self._writer.writing
            and not self._reporting
        )

    def _progress_changed(self) -> bool:
        """The period reports to a cohort, and its phase, overdue flag or end has changed since its last report."""
        state = self._live
        if (state.report_to or state.input.report_to) is None:
            return False  # a period started outside a cohort workflow
        return rules.progress_fingerprint(state, workflow.now()) != self._reported

    def _report_progress(self) -> None:
        """Tell the cohort (if any) when the phase, the overdue flag or the end has changed."""
        if not self._progress_changed():
            return
        state, now = self._live, workflow.now()
        cohort_id = state.report_to or state.input.report_to
        assert cohort_id is not None
        self._reported = rules.progress_fingerprint(state, now)
        self._track(self._send_signal(cohort_id, PERIOD_PROGRESS_SIGNAL, rules.progress(state, now)))

    def _track(self, sending: Coroutine[Any, Any, None]) -> None:
        """Send a signal to the cohort in a task of its own; the period neither ends nor continues-as-new before it
        is out (`_reporting`)."""
        task = asyncio.create_task(sending)
        self._reporting.add(task)
        task.add_done_callback(self._reporting.discard)

    async def _send_signal(self, cohort_id: str, signal: str, payload: Any) -> None:
        try:
            await workflow.get_external_workflow_handle(cohort_id).signal(signal, payload)
        except FailureError as error:
            # The cohort has ended or was never there: the period runs on; its status says the same.
            workflow.logger.warning("%s to %s failed: %s", signal, cohort_id, error)
        finally:
            self._revision += 1

    @staticmethod
    def _started_with(attributes: list[SearchAttributeUpdate[Any]]) -> list[tuple[str, Any]]:
        """The values the run's search attributes had when it started, in the order of `attributes`."""
        given = workflow.info().typed_search_attributes
        return [(a.key.name, given.get(a.key)) for a in attributes]

    def _publish(self) -> None:
        """Refresh the Web UI's current details; upsert search attributes (only when they changed) and report
        progress to the cohort, once the change's records are written (`_holds_back`)."""
        state, now = self._live, workflow.now()
        workflow.set_current_details(current_details(state, now))
        attributes = search_attributes(state, now)
        fingerprint = [(a.key.name, a.value) for a in attributes]
        if self._published is None and fingerprint == self._started_with(attributes):
            # The run began with exactly these (a start that gave them all, or a continue-as-new): no upsert.
            self._published = fingerprint
        changed = fingerprint != self._published
        if (changed or self._progress_changed()) and self._holds_back():
            return
        self._hold_until = None
        if changed:
            workflow.upsert_search_attributes(attributes)
            self._published = fingerprint
        self._report_progress()

    def _holds_back(self) -> bool:
        """Whether a change waits for its records before Temporal's visibility and the cohort see it.

        An upsert in the update's own workflow task makes the server handle the visibility change before it
        answers (an update's round trip about 1.3 times a no-op's). So the update's task only queues the record,
        and the task after the record's activity publishes the change: visibility and the record store agree.
        The writer bounds the wait (`STALL_ATTEMPTS`): while PostgreSQL is down a change is published anyway.
        """
        if not self._writer.keeping_up:
            return False
        if self._hold_until is None:
            if not self._live.pending:
                return False
            # The records queued so far, the change's own among them; not those queued later, which could
            # otherwise keep a change from visibility for as long as new ones keep coming.
            self._hold_until = self._writer.written + len(self._live.pending)
        return self._writer.written < self._hold_until

    def _records_moved(self) -> None:
        """A record was written, or has stalled: a change held back for it may go out now."""
        if self._hold_until is not None:
            self._revision += 1
