"""`CohortWorkflow`: one cohort (pulje) of school owners: invitations, answers, and starting their periods.

Like `GuidancePeriodWorkflow`, the workflow holds the cohort's state and decides; the rules live in
`domain.cohort` (pure), every side effect in an activity. Handlers change the state and queue records;
a writer task writes the records in order, and a starter task starts the periods of the owners that
accepted, so an update's answer never waits for PostgreSQL or for a child to start.

Why each period is a child workflow with ``ParentClosePolicy.ABANDON`` rather than a client start from
an activity: the child's start is a command in the cohort's own history, decided by the workflow, so a
replayed or retried workflow task never issues it twice (an activity retried after a lost completion
would start again and must then tell "already started" from a real conflict by itself); the id
``guidance-period-{cohort}-{owner_id}`` with ``REJECT_DUPLICATE`` makes a second start impossible in
any case, and the workflow treats `WorkflowAlreadyStartedError` as "already started". ABANDON means a
period never dies with its cohort: terminating, resetting or completing the cohort leaves every
period running. The cost: the cohort's history grows by a few events per child, which
continue-as-new bounds (a child keeps running across its parent's continue-as-new under ABANDON).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from workflows.record_writer import RECORD_RETRY, RECORD_TIMEOUT, RecordWriter

with workflow.unsafe.imports_passed_through():
    from domain import cohort as rules
    from domain import period as period_rules
    from domain.contract import Activities
    from domain.models import PendingRecord
    from domain.phases import Phase
    from domain.programme import ProgrammePlan
    from domain.records import AuditEntry, InvitationEvent, InvitationRecord
    from workflows.guidance_period import (
        ADVISERS,
        COHORT,
        COUNTY,
        GUIDANCE_PHASE,
        SCHOOL_OWNER,
        GuidancePeriodWorkflow,
    )


@workflow.defn
class CohortWorkflow:
    """One cohort of guidance periods; id ``cohort-{cohort}``.

    Updates (validated before anything reaches history):
        respond_to_invitation: an owner accepts or declines (`RespondToInvitation`); answers `CohortStatus`.
    Queries:
        status: the cohort's `CohortStatus`.
    """

    @workflow.init
    def __init__(self, cohort: rules.CohortInput | rules.CohortState) -> None:
        self._state: rules.CohortState | None = cohort if isinstance(cohort, rules.CohortState) else None
        self._input = cohort.input if isinstance(cohort, rules.CohortState) else cohort
        self._revision = 0
        self._starting = False

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
            for entry in self._state.invitations:
                self._queue_invitation(entry, "invited", "system", "invited")
        state = self._state
        workflow.upsert_search_attributes([COHORT.value_set(state.input.cohort)])
        self._writer = RecordWriter(state, on_written=self._changed)
        writer = asyncio.create_task(self._writer.write())
        starter = asyncio.create_task(self._start_periods())
        try:
            # The cohort stays open after its invitations close: it is the Directorate's handle on the
            # cohort (national gatherings come here next).
            while True:
                self._publish()
                if self._may_continue_as_new():
                    workflow.continue_as_new(state)
                await self._wait_for_next_deadline()
                self._act_on_deadlines()
        finally:
            writer.cancel()
            starter.cancel()

    def _act_on_deadlines(self) -> None:
        state, now = self._live, workflow.now()
        deadline = rules.next_deadline(state)
        while deadline is not None and deadline.at <= now:
            if deadline.kind == "reminder":
                for entry in rules.apply_reminders(state, now):
                    self._queue_invitation(entry, "reminded", "system", "reminded")
            else:
                for entry in rules.apply_no_reply(state, now):
                    self._queue_invitation(entry, "no_reply", "system", "no_reply")
            deadline = rules.next_deadline(state)

    # --- update and query --------------------------------------------------------------------------

    @workflow.update
    async def respond_to_invitation(self, request: rules.RespondToInvitation) -> rules.CohortStatus:
        """An owner accepts or declines; an acceptance starts its guidance period."""
        # An answer that arrives while the cohort loads its plan waits for it (no more than a moment).
        await workflow.wait_condition(lambda: self._state is not None)
        state, now = self._live, workflow.now()
        self._check(request)
        entry = rules.apply_response(state, request, now)
        info = workflow.current_update_info()
        key = f"update:{info.id}" if info is not None else f"update:{workflow.uuid4()}"
        self._queue_invitation(entry, "accepted" if request.answer == "accept" else "declined", request.by, key)
        return self._status()

    @respond_to_invitation.validator
    def _validate_respond_to_invitation(self, request: rules.RespondToInvitation) -> None:
        if self._state is None:
            # Still loading the plan: only what the input tells can be checked now; the handler checks the rest.
            self._check_invited(request)
            return
        self._check(request)

    def _check_invited(self, request: rules.RespondToInvitation) -> None:
        invited = [o.owner.id for o in self._input.owners]
        if request.owner_id not in invited:
            cohort = self._input.cohort
            message = f"owner_id: {request.owner_id} is not invited to cohort {cohort}; invited: {', '.join(invited)}"
            raise ApplicationError(message, type="UpdateRejected", non_retryable=True)

    @workflow.query
    def status(self) -> rules.CohortStatus:
        """Where every invitation of the cohort stands."""
        return self._status()

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

    def _check(self, request: rules.RespondToInvitation) -> None:
        try:
            rules.check_response(self._live, request, workflow.now())
        except period_rules.Rejection as rejection:
            raise ApplicationError(str(rejection), type="UpdateRejected", non_retryable=True) from None

    def _queue_invitation(self, entry: rules.Invitation, event: InvitationEvent, by: str, key: str) -> None:
        state, now = self._live, workflow.now()
        chosen = next(o for o in state.input.owners if o.owner.id == entry.owner_id)
        record = InvitationRecord(
            workflow_id=self._id,
            cohort=state.input.cohort,
            owner_id=entry.owner_id,
            owner_name=entry.owner_name,
            owner_kind=chosen.owner.kind,
            county=entry.county,
            advisers=list(chosen.advisers),
            network=chosen.network,
            event=event,
            state=str(entry.state),
            reply_by=rules.reply_by(state),
            no_reply_on=rules.no_reply_on(state),
            start_date=state.input.start_date,
            answered_by=entry.answered_by,
            period_workflow_id=entry.period_workflow_id if entry.state == rules.InvitationState.ACCEPTED else None,
            updated_at=now,
            audit=AuditEntry(
                workflow_id=self._id,
                event_key=f"invitation:{entry.owner_id}:{event}" if by == "system" else key,
                at=now,
                actor=by,
                action=f"invitation {event}",
                details={"owner_id": entry.owner_id},
            ),
        )
        state.pending.append(
            PendingRecord(
                activity=Activities.RECORD_INVITATION,
                summary=f"invitation {event}: {entry.owner_name}",
                payload=record.model_dump(mode="json"),
            )
        )
        self._revision += 1

    async def _wait_for_next_deadline(self) -> None:
        seen = self._revision
        deadline = rules.next_deadline(self._live)
        condition = lambda: self._revision != seen or self._may_continue_as_new()  # noqa: E731
        if deadline is None:
            await workflow.wait_condition(condition)
            return
        timeout = deadline.at - workflow.now()
        if timeout <= timedelta(0):
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(condition, timeout=timeout, timeout_summary=deadline.summary)

    def _may_continue_as_new(self) -> bool:
        return (
            workflow.info().is_continue_as_new_suggested()
            and workflow.all_handlers_finished()
            and not self._writer.writing
            and not self._starting
        )

    async def _start_periods(self) -> None:
        """Start the period of each owner that accepted, in order; an owner leaves the list once started."""
        state = self._live
        while True:
            await workflow.wait_condition(
                lambda: bool(state.starts_pending) and not workflow.info().is_continue_as_new_suggested()
            )
            owner_id = state.starts_pending[0]
            entry = rules.invitation(state, owner_id)
            assert entry is not None
            period = rules.period_input(state, owner_id)
            self._starting = True
            try:
                await workflow.start_child_workflow(
                    GuidancePeriodWorkflow.run,
                    period,
                    id=entry.period_workflow_id,
                    parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    static_summary=f"Guidance period: {period.owner.name} ({period.owner.id}), cohort {period.cohort}",
                    search_attributes=TypedSearchAttributes(
                        [
                            SearchAttributePair(GUIDANCE_PHASE, str(Phase.MAPPING)),
                            SearchAttributePair(SCHOOL_OWNER, period.owner.id),
                            SearchAttributePair(COHORT, period.cohort),
                            SearchAttributePair(COUNTY, period.owner.county),
                            SearchAttributePair(ADVISERS, list(period.advisers)),
                        ]
                    ),
                )
                workflow.logger.info("period %s started", entry.period_workflow_id)
            except WorkflowAlreadyStartedError:
                workflow.logger.warning("period %s was already started", entry.period_workflow_id)
            finally:
                self._starting = False
            entry.period_started = True
            state.starts_pending.pop(0)
            self._revision += 1

    def _changed(self) -> None:
        self._revision += 1

    def _publish(self) -> None:
        workflow.set_current_details(rules.one_line(self._live))
