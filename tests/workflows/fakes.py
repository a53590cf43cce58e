"""Fake activities registered under the real names: they record what the workflow asked for."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from temporalio import activity

from domain.contract import Activities
from domain.programme import ProgrammePlan
from domain.records import (
    FinalEvaluationRecord,
    GatheringRecord,
    MeetingRecord,
    MilestoneRecord,
    NoticeRecord,
    PeriodStartedRecord,
    PhaseChangeRecord,
)
from domain.settings import VeilederkorpsetSettings


class RecordingActivities:
    """Every activity of the engine, keeping each call's argument by activity name."""

    def __init__(self, plan: ProgrammePlan | None = None) -> None:
        self.plan = plan or VeilederkorpsetSettings().plan()
        self.calls: dict[str, list[Any]] = defaultdict(list)

    @activity.defn(name=Activities.LOAD_PROGRAMME_PLAN)
    async def load_programme_plan(self, name: str) -> ProgrammePlan:
        self.calls[Activities.LOAD_PROGRAMME_PLAN].append(name)
        return self.plan

    @activity.defn(name=Activities.RECORD_PERIOD_STARTED)
    async def record_period_started(self, record: PeriodStartedRecord) -> None:
        self.calls[Activities.RECORD_PERIOD_STARTED].append(record)

    @activity.defn(name=Activities.RECORD_MILESTONE)
    async def record_milestone(self, record: MilestoneRecord) -> None:
        self.calls[Activities.RECORD_MILESTONE].append(record)

    @activity.defn(name=Activities.RECORD_PHASE_CHANGE)
    async def record_phase_change(self, record: PhaseChangeRecord) -> None:
        self.calls[Activities.RECORD_PHASE_CHANGE].append(record)

    @activity.defn(name=Activities.RECORD_MEETING)
    async def record_meeting(self, record: MeetingRecord) -> str:
        self.calls[Activities.RECORD_MEETING].append(record)
        return f"outbox/{record.workflow_id}/{record.meeting.meeting_id}.ics"

    @activity.defn(name=Activities.SEND_NOTICE)
    async def send_notice(self, record: NoticeRecord) -> None:
        self.calls[Activities.SEND_NOTICE].append(record)

    @activity.defn(name=Activities.RECORD_GATHERING)
    async def record_gathering(self, record: GatheringRecord) -> None:
        self.calls[Activities.RECORD_GATHERING].append(record)

    @activity.defn(name=Activities.RECORD_FINAL_EVALUATION)
    async def record_final_evaluation(self, record: FinalEvaluationRecord) -> None:
        self.calls[Activities.RECORD_FINAL_EVALUATION].append(record)

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.load_programme_plan,
            self.record_period_started,
            self.record_milestone,
            self.record_phase_change,
            self.record_meeting,
            self.send_notice,
            self.record_gathering,
            self.record_final_evaluation,
        ]
