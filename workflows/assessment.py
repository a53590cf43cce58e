"""`CountyAssessmentWorkflow`: the county governors assess a cohort's spread-track owners before the decision.

Id ``assessment-{cohort}``. The rules live in `domain.assessment` (pure): the workflow holds the state, queues what
each event causes (a `county_assessments` row, a letter to the county governor, an audit entry) for its record
writer, and sleeps on one timer until the next deadline: the reminder, then the reply deadline, after which every
request still open is ``no_reply``. It ends once every request is answered or past its deadline and every record
is written; the Directorate's decision (`SelectionDecisionWorkflow`) reads its status and records what it saw.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.deadline_timer import DeadlineTimer
from workflows.record_writer import RecordWriter

with workflow.unsafe.imports_passed_through():
    from domain import assessment as rules
    from domain import period as period_rules
    from domain.contract import COHORT, COUNTY_ASSESSMENT_WORKFLOW_TYPE, InvalidStartInput
    from domain.effects import Effects, Occasion


@workflow.defn(name=COUNTY_ASSESSMENT_WORKFLOW_TYPE, failure_exception_types=[InvalidStartInput])
class CountyAssessmentWorkflow:
    """One cohort's requests to the county governors; id ``assessment-{cohort}``.

    Updates (validated before anything reaches history; each answers `AssessmentStatus`):
        record_assessment: the county governor's assessment and priority of one owner (`RecordAssessment`).
    Queries:
        status: the assessment's `AssessmentStatus`.
    """

    @workflow.init
    def __init__(self, assessment: rules.AssessmentInput) -> None:
        self._state = rules.new_state(assessment, workflow.now())
        self._revision = 0
        self._timer = DeadlineTimer()

    @workflow.run
    async def run(self, assessment: rules.AssessmentInput) -> rules.AssessmentStatus:
        state = self._state
        workflow.upsert_search_attributes([COHORT.value_set(state.input.cohort)])
        self._queue(rules.opened(state, self._occasion()))
        writer = RecordWriter(state, on_written=self._changed)
        writing = asyncio.create_task(writer.write())
        try:
            while True:
                workflow.set_current_details(rules.one_line(state))
                if rules.is_finished(state) and workflow.all_handlers_finished():
                    break
                await self._wait_for_next_deadline()
                self._queue(rules.deadlines_passed(state, self._occasion()))
        finally:
            self._timer.cancel()
            writing.cancel()
        return self.status()

    @workflow.update
    def record_assessment(self, request: rules.RecordAssessment) -> rules.AssessmentStatus:
        """Record the county governor's assessment and priority of one owner."""
        self._check(request)
        info = workflow.current_update_info()
        key = f"update:{info.id}" if info is not None else f"update:{workflow.uuid4()}"
        self._queue(rules.answered(self._state, request, self._occasion(key)))
        workflow.logger.info("assessment of %s recorded by %s", request.owner_id, request.by)
        return self.status()

    @record_assessment.validator
    def _validate_record_assessment(self, request: rules.RecordAssessment) -> None:
        self._check(request)

    @workflow.query
    def status(self) -> rules.AssessmentStatus:
        """Where every request stands, with the answers given."""
        return rules.status(self._state, workflow.info().workflow_id)

    async def _wait_for_next_deadline(self) -> None:
        seen = self._revision
        deadline = rules.next_deadline(self._state)
        at, summary = (deadline.at, deadline.summary) if deadline is not None else (None, "")
        await self._timer.wait(at, summary, lambda: self._revision != seen)

    def _check(self, request: rules.RecordAssessment) -> None:
        try:
            rules.check_assessment(self._state, request, workflow.now())
        except period_rules.Rejection as rejection:
            # The details (code, field, params) let the edge say it in the person's language; the message stays.
            raise ApplicationError(
                str(rejection), rejection.details, type="UpdateRejected", non_retryable=True
            ) from None

    def _occasion(self, key: str = "") -> Occasion:
        return Occasion(workflow.info().workflow_id, workflow.now(), key)

    def _queue(self, effects: Effects) -> None:
        self._state.pending.extend(effects.records)
        self._revision += 1

    def _changed(self) -> None:
        self._revision += 1
