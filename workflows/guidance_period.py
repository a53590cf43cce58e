"""`GuidancePeriodWorkflow`: one school owner's guidance period (veiledningsperiode), up to 30 months.

The workflow holds the period's state and decides; the rules live in `domain.period` (pure), every side
effect in an activity. Updates are applied to the state at once and answered with the new status; the
records they produce are queued in the state and written by the main loop, in order, so an update's
round trip never waits for PostgreSQL and a record is never lost (the queue travels through
continue-as-new).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ApplicationError, FailureError

from workflows.deadline_timer import DeadlineTimer
from workflows.record_writer import RECORD_RETRY, RECORD_TIMEOUT, STALL_ATTEMPTS, RecordWriter

with workflow.unsafe.imports_passed_through():
    from domain import period as rules
    from domain.contract import PERIOD_PROGRESS_SIGNAL, REPORT_PROGRESS_TO_SIGNAL, Activities, InvalidStartInput
    from domain.models import (
        GatheringInvitation,
        MeetingEntry,
        NetworkMeeting,
        PendingRecord,
        PeriodInput,
        PeriodProgress,
        PeriodState,
        PeriodStatus,
        RecordMilestone,
        ScheduleMeeting,
        Withdraw,
    )
    from domain.phases import is_terminal
    from domain.programme import ProgrammePlan
    from domain.records import (
        AuditEntry,
        FinalEvaluationRecord,
        GatheringRecord,
        MeetingRecord,
        MilestoneRecord,
        NoticeRecord,
        PeriodSnapshot,
        PeriodStartedRecord,
        PhaseChangeRecord,
        PhaseTransition,
    )
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
        lines.append(f"Phase **{state.phase}** (cycle {state.cycle}) since {state.phase_started_on}, due {due}{flag}")
    upcoming = sorted((m for m in state.meetings if m.date >= rules.today(state, now)), key=lambda m: m.date)
    if upcoming:
        lines.append(f"Next meeting: {upcoming[0].date} {upcoming[0].kind}")
    if state.development_area:
        lines.append(f"Development area: {state.development_area}")
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


@workflow.defn(failure_exception_types=[InvalidStartInput])  # a start input that does not decode fails the period
class GuidancePeriodWorkflow:
    """One school owner's guidance period in a cohort; id ``guidance-period-{cohort}-{owner_id}``.

    Updates (validated before anything is written to history; each answers with the new status):
        record_milestone: close the current phase (`RecordMilestone`).
        schedule_meeting: agree or move a meeting on a working day within the period (`ScheduleMeeting`).
        withdraw: end the period early (`Withdraw`).
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
        # A new period gets its input; a period continued-as-new gets its whole state back.
        self._state: PeriodState | None = period if isinstance(period, PeriodState) else None
        if isinstance(period, PeriodInput) and period.programme is not None:
            self._state = rules.new_state(period, period.programme)
        self._published: list[tuple[str, Any]] | None = None
        self._revision = 0  # counts changes, so the main loop wakes to republish and re-plan its timer
        self._reported: tuple[object, ...] | None = None  # the progress the cohort was last told
        self._reporting: set[asyncio.Task[None]] = set()  # reports to the cohort on their way
        self._timer = DeadlineTimer()
        self._hold_until: int | None = None  # a change waits until the writer has written this many records

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
            self._state = rules.new_state(period, plan)
        state = self._state
        if isinstance(period, PeriodInput):
            now = workflow.now()
            # The cohort knows a period it started begins in the first phase: report changes only.
            self._reported = rules.progress_fingerprint(state, now, overdue=False)
            self._queue(
                Activities.RECORD_PERIOD_STARTED,
                PeriodStartedRecord(
                    period=PeriodSnapshot.of(state, self._id, now),
                    audit=self._audit("started", "system", "period started", now, plan=state.plan.version),
                    plan=state.plan,
                ),
                f"record start of {state.input.owner.name}",
            )
            # The plan's recurring meetings and gatherings, proposed for the whole period.
            for meeting in rules.apply_planned_meetings(state, now):
                self._queue_meeting(meeting, f"plan:{meeting.meeting_id}", "plan", "meeting proposed by the plan")
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
                self._act_on_deadlines()
        self._timer.cancel()
        if not state.final_evaluation_queued:
            self._queue_final_evaluation()
        self._writer.close()
        # While the store is down the end goes out all the same, as any change does.
        await workflow.wait_condition(lambda: writing.done() or self._writer.stalled)
        if not writing.done():
            self._publish()
        await writing
        self._publish()
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self._reporting)
        return self._status()

    def _act_on_deadlines(self) -> None:
        state, now = self._live, workflow.now()
        for deadline in rules.due_deadlines(state, now):
            if deadline.kind == "period_end":
                reached = state.phase
                change = rules.apply_expiry(state, now)
                self._queue_phase_change(change, "system", f"expired in {reached}", "expired")
                return
            if deadline.kind == "phase_due":
                state.phase_overdue_noted = True  # nothing to send: the next publish shows it overdue
                continue
            notice = rules.apply_notice(state, deadline, now)
            workflow.logger.info("sent %s for %s", notice.kind, self._id)
            self._queue(
                Activities.SEND_NOTICE,
                NoticeRecord(
                    period=PeriodSnapshot.of(state, self._id, now),
                    notice=notice,
                    audit=self._audit(notice.key, "system", notice.kind, now, message=notice.message),
                ),
                f"{notice.kind.replace('_', ' ')}: {state.phase}",
            )

    # --- updates ----------------------------------------------------------------------------------

    @workflow.update
    def record_milestone(self, update: RecordMilestone) -> PeriodStatus:
        """Close the current phase with its milestone; the period moves to the next phase."""
        state, now = self._live, workflow.now()
        self._check(rules.check_milestone, update)
        entry, change = rules.apply_milestone(state, update, now)
        self._queue(
            Activities.RECORD_MILESTONE,
            MilestoneRecord(
                period=PeriodSnapshot.of(state, self._id, now),
                milestone=entry,
                transition=PhaseTransition.of(change, self._id, now, update.adviser),
                audit=self._audit(self._update_key(), update.adviser, f"milestone {update.milestone}", now),
            ),
            f"{update.milestone} by {update.adviser}",
        )
        return self._status()

    @record_milestone.validator
    def _validate_record_milestone(self, update: RecordMilestone) -> None:
        self._check(rules.check_milestone, update)

    @workflow.update
    def schedule_meeting(self, request: ScheduleMeeting) -> PeriodStatus:
        """Agree a meeting on a working day within the period, or move one given its ``meeting_id``."""
        state, now = self._live, workflow.now()
        self._check(rules.check_meeting, request)
        meeting = rules.apply_meeting(state, request, now)
        action = "meeting moved" if meeting.sequence else "meeting scheduled"
        self._queue_meeting(meeting, self._update_key(), request.adviser, action)
        return self._status().model_copy(update={"created": meeting.meeting_id})

    @schedule_meeting.validator
    def _validate_schedule_meeting(self, request: ScheduleMeeting) -> None:
        self._check(rules.check_meeting, request)

    @workflow.update
    def withdraw(self, request: Withdraw) -> PeriodStatus:
        """End the period early; it closes as ``withdrawn``."""
        state, now = self._live, workflow.now()
        self._check(rules.check_withdrawal, request)
        change = rules.apply_withdrawal(state, request, now)
        self._queue_phase_change(change, request.by, f"withdrawn: {request.reason}", self._update_key())
        return self._status()

    @withdraw.validator
    def _validate_withdraw(self, request: Withdraw) -> None:
        self._check(rules.check_withdrawal, request)

    # --- signal and query -------------------------------------------------------------------------

    @workflow.signal
    async def gathering_invitation(self, invitation: GatheringInvitation) -> None:
        """The Directorate invites the owner to a national gathering (a repeated id moves it)."""
        await workflow.wait_condition(lambda: self._state is not None)
        state, now = self._live, workflow.now()
        if is_terminal(state.phase):
            workflow.logger.warning("gathering %s ignored: period has ended", invitation.gathering_id)
            return
        entry = rules.apply_gathering(state, invitation, now)
        key = f"gathering:{entry.gathering_id}:{now.isoformat()}"
        self._queue(
            Activities.RECORD_GATHERING,
            GatheringRecord(
                workflow_id=self._id,
                gathering=entry,
                audit=self._audit(key, "directorate", "gathering invitation", now, gathering_id=entry.gathering_id),
            ),
            f"gathering {entry.date}: {entry.title}",
        )

    @workflow.signal
    async def network_meeting(self, meeting: NetworkMeeting) -> None:
        """The cohort passes on a meeting shared by the owner's network (a higher sequence moves it)."""
        await workflow.wait_condition(lambda: self._state is not None)
        state, now = self._live, workflow.now()
        entry = rules.apply_network_meeting(state, meeting, now)
        if isinstance(entry, str):
            workflow.logger.info("network meeting %s left out: %s", meeting.meeting_id, entry)
            return
        action = "network meeting moved" if entry.sequence else "network meeting scheduled"
        self._queue_meeting(entry, f"{entry.meeting_id}:{entry.sequence}", "cohort", action)

    @workflow.signal(name=REPORT_PROGRESS_TO_SIGNAL)
    async def report_progress_to(self, cohort_workflow_id: str) -> None:
        """A cohort found this period running (started by hand before it): tell it of progress from now on."""
        await workflow.wait_condition(lambda: self._state is not None)
        state = self._live
        if (state.report_to or state.input.report_to) == cohort_workflow_id:
            return  # the cohort's own period, or the signal again: nothing changes
        state.report_to = cohort_workflow_id
        self._reported = None  # the cohort knows nothing of this period yet: the next publish reports
        self._revision += 1

    @workflow.query
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
            raise ApplicationError(str(rejection), type="UpdateRejected", non_retryable=True) from None

    @staticmethod
    def _update_key() -> str:
        info = workflow.current_update_info()
        return f"update:{info.id}" if info is not None else f"update:{workflow.uuid4()}"

    def _audit(self, key: str, actor: str, action: str, at: datetime, **details: Any) -> AuditEntry:
        return AuditEntry(workflow_id=self._id, event_key=key, at=at, actor=actor, action=action, details=details)

    def _queue(self, activity: str, record: Any, summary: str) -> None:
        self._live.pending.append(
            PendingRecord(activity=activity, summary=summary, payload=record.model_dump(mode="json"))
        )
        self._revision += 1

    def _queue_meeting(self, meeting: MeetingEntry, key: str, actor: str, action: str) -> None:
        """Queue a meeting's record and invitation to the period's advisers."""
        state, now = self._live, workflow.now()
        self._queue(
            Activities.RECORD_MEETING,
            MeetingRecord(
                workflow_id=self._id,
                owner_name=state.input.owner.name,
                advisers=list(state.input.advisers),
                timezone=state.plan.timezone,
                meeting=meeting,
                audit=self._audit(key, actor, action, now, meeting_id=meeting.meeting_id),
            ),
            f"invite to {meeting.kind} {meeting.date}",
        )

    def _queue_phase_change(self, change: rules.PhaseChange, by: str, action: str, key: str) -> None:
        state, now = self._live, workflow.now()
        self._queue(
            Activities.RECORD_PHASE_CHANGE,
            PhaseChangeRecord(
                period=PeriodSnapshot.of(state, self._id, now),
                transition=PhaseTransition.of(change, self._id, now, by),
                audit=self._audit(key, by, action, now),
            ),
            f"{change.from_phase} -> {change.to_phase}",
        )

    def _queue_final_evaluation(self) -> None:
        state = self._live
        state.final_evaluation_queued = True
        record = FinalEvaluationRecord.of(state, self._id, workflow.now())
        self._queue(Activities.RECORD_FINAL_EVALUATION, record, f"final evaluation: {state.phase}")

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
        task = asyncio.create_task(self._send_report(cohort_id, rules.progress(state, now)))
        self._reporting.add(task)
        task.add_done_callback(self._reporting.discard)

    async def _send_report(self, cohort_id: str, progress: PeriodProgress) -> None:
        try:
            await workflow.get_external_workflow_handle(cohort_id).signal(PERIOD_PROGRESS_SIGNAL, progress)
        except FailureError as error:
            # The cohort has ended or was never there: the period runs on; its status says the same.
            workflow.logger.warning("progress report to %s failed: %s", cohort_id, error)
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
