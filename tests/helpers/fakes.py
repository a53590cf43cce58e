"""Fake activities registered under the real names: they record what the workflow asked for."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from config.settings import VeilederkorpsetSettings
from domain.assessment import AssessmentRecord
from domain.contract import INVALID_RECORD, Activities
from domain.programme import ProgrammePlan
from domain.records import (
    AdvisersChangeRecord,
    CompetenceEnvironmentRecord,
    FinalEvaluationRecord,
    GatheringRecord,
    InvitationRecord,
    MeetingRecord,
    MeetingRecords,
    MilestoneRecord,
    NationalGatheringRecord,
    NoticeRecord,
    PeriodStartedRecord,
    PhaseChangeRecord,
)
from domain.selection_decision import SelectionDecisionRecord


class RecordingActivities:
    """Every activity of the engine, keeping each call's argument by activity name."""

    def __init__(self, plan: ProgrammePlan | None = None, *, refuse: frozenset[str] = frozenset()) -> None:
        """Args:
        plan: What `load_programme_plan` answers.
        refuse: Activities that refuse every record as invalid, as the real store does bad data.
        """
        self.plan = plan or VeilederkorpsetSettings().plan()
        self.refuse = refuse
        #: Activities that fail as a record store does while it is down (retried); a test empties it to recover.
        self.down: set[str] = set()
        self.failed: Counter[str] = Counter()  # attempts that failed because their activity was down
        #: Seconds an activity takes before it answers (a slow record store).
        self.delay: dict[str, float] = {}
        self.calls: dict[str, list[Any]] = defaultdict(list)
        self._arrived = asyncio.Event()

    async def _keep(self, name: str, received: Any) -> None:
        if name in self.delay:
            await asyncio.sleep(self.delay[name])
        if name in self.down:
            self.failed[name] += 1
            raise ApplicationError(f"{name}: the record store is down (test)", type="StoreDown")
        self.calls[name].append(received)
        self._arrived.set()
        if name in self.refuse:
            raise ApplicationError(f"{name} refused: test", type=INVALID_RECORD, non_retryable=True)

    async def received(self, name: str, count: int = 1) -> list[Any]:
        """What activity `name` received, once it has been called `count` times (records are written
        by the workflow's main loop after an update has answered). The limit only ends a test that would otherwise
        hang: a busy machine may take many seconds to write a cohort's records."""
        async with asyncio.timeout(60):
            while len(self.calls[name]) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.calls[name]

    @activity.defn(name=Activities.LOAD_PROGRAMME_PLAN)
    async def load_programme_plan(self, name: str) -> ProgrammePlan:
        await self._keep(Activities.LOAD_PROGRAMME_PLAN, name)
        return self.plan

    @activity.defn(name=Activities.RECORD_PERIOD_STARTED)
    async def record_period_started(self, record: PeriodStartedRecord) -> None:
        await self._keep(Activities.RECORD_PERIOD_STARTED, record)

    @activity.defn(name=Activities.RECORD_MILESTONE)
    async def record_milestone(self, record: MilestoneRecord) -> None:
        await self._keep(Activities.RECORD_MILESTONE, record)

    @activity.defn(name=Activities.RECORD_PHASE_CHANGE)
    async def record_phase_change(self, record: PhaseChangeRecord) -> None:
        await self._keep(Activities.RECORD_PHASE_CHANGE, record)

    @activity.defn(name=Activities.RECORD_ADVISERS_CHANGE)
    async def record_advisers_change(self, record: AdvisersChangeRecord) -> None:
        await self._keep(Activities.RECORD_ADVISERS_CHANGE, record)

    @activity.defn(name=Activities.RECORD_COMPETENCE_ENVIRONMENT)
    async def record_competence_environment(self, record: CompetenceEnvironmentRecord) -> None:
        await self._keep(Activities.RECORD_COMPETENCE_ENVIRONMENT, record)

    @activity.defn(name=Activities.RECORD_MEETING)
    async def record_meeting(self, record: MeetingRecord) -> str:
        await self._keep(Activities.RECORD_MEETING, record)
        return f"outbox/{record.workflow_id}/{record.meeting.meeting_id}.ics"

    @activity.defn(name=Activities.RECORD_MEETINGS)
    async def record_meetings(self, batch: MeetingRecords) -> list[str]:
        """Keeps each meeting as `record_meeting` does (the real store writes each as it writes one)."""
        return [await self.record_meeting(record) for record in batch.records]

    @activity.defn(name=Activities.SEND_NOTICE)
    async def send_notice(self, record: NoticeRecord) -> None:
        await self._keep(Activities.SEND_NOTICE, record)

    @activity.defn(name=Activities.RECORD_GATHERING)
    async def record_gathering(self, record: GatheringRecord) -> None:
        await self._keep(Activities.RECORD_GATHERING, record)

    @activity.defn(name=Activities.RECORD_FINAL_EVALUATION)
    async def record_final_evaluation(self, record: FinalEvaluationRecord) -> None:
        await self._keep(Activities.RECORD_FINAL_EVALUATION, record)

    @activity.defn(name=Activities.RECORD_INVITATION)
    async def record_invitation(self, record: InvitationRecord) -> None:
        await self._keep(Activities.RECORD_INVITATION, record)

    @activity.defn(name=Activities.RECORD_NATIONAL_GATHERING)
    async def record_national_gathering(self, record: NationalGatheringRecord) -> list[str]:
        await self._keep(Activities.RECORD_NATIONAL_GATHERING, record)
        return [f"outbox/{record.workflow_id}/{record.gathering_id}-{g.owner_id}.ics" for g in record.guests]

    @activity.defn(name=Activities.RECORD_COUNTY_ASSESSMENT)
    async def record_county_assessment(self, record: AssessmentRecord) -> None:
        await self._keep(Activities.RECORD_COUNTY_ASSESSMENT, record)

    @activity.defn(name=Activities.RECORD_SELECTION_DECISION)
    async def record_selection_decision(self, record: SelectionDecisionRecord) -> None:
        await self._keep(Activities.RECORD_SELECTION_DECISION, record)

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.load_programme_plan,
            self.record_period_started,
            self.record_milestone,
            self.record_phase_change,
            self.record_advisers_change,
            self.record_competence_environment,
            self.record_meeting,
            self.record_meetings,
            self.send_notice,
            self.record_gathering,
            self.record_final_evaluation,
            self.record_invitation,
            self.record_national_gathering,
            self.record_county_assessment,
            self.record_selection_decision,
        ]
