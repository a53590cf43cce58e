"""`make demo`: a few real-looking guidance periods, so the Web UI shows periods in different phases.

Six school owners of cohort ``demo-2026`` start on working days in the recent past; their advisers
have recorded the milestones a period of that age would have (two have competence environments for their
development area, one agreed), and agreed the next meetings; the
Directorate has invited them all to the start gathering. One owner is still mapping long after its
phase was due, so the Web UI also shows an overdue period (``Overdue = true``) and its reminders.

Running the demo again changes nothing: a period that already exists is left as it is.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

from temporalio.client import Client
from temporalio.service import RPCError

from config.competence import environment_by_id
from config.owners import owner_by_id
from domain.calendar import next_working_day
from domain.contract import period_workflow_id
from domain.models import (
    CompetenceState,
    GatheringInvitation,
    MeetingKind,
    PeriodInput,
    PeriodStatus,
    RecordCompetenceEnvironment,
    RecordMilestone,
    ScheduleMeeting,
)
from domain.phases import Milestone
from starter.client import (
    GuidanceError,
    PeriodAlreadyExists,
    invite_to_gathering,
    record_competence_environment,
    record_milestone,
    schedule_meeting,
    start_period,
)

DEMO_COHORT = "demo-2026"


@dataclass(frozen=True)
class DemoPeriod:
    """One demo period: who, since how many weeks, how far it has come and what comes next."""

    owner_id: str
    advisers: tuple[str, ...]
    weeks_ago: int
    milestones: tuple[RecordMilestone, ...] = ()
    meeting: MeetingKind = "follow_up"
    meeting_in_days: int = 7
    schools: tuple[str, ...] = ()
    #: Steps with competence environments of the register, in order: (environment id, state).
    environments: tuple[tuple[str, CompetenceState], ...] = ()


def _milestones(adviser: str, count: int) -> tuple[RecordMilestone, ...]:
    """The first `count` milestones of a cycle, with the details each one needs."""
    plan: list[RecordMilestone] = [
        RecordMilestone(
            milestone=Milestone.MAPPING_DONE,
            adviser=adviser,
            note="Analysis of national tests and the pupil survey shared with the school leaders.",
        ),
        RecordMilestone(
            milestone=Milestone.ANCHORING_DONE,
            adviser=adviser,
            note="The municipal management and the principals' group have endorsed the work.",
        ),
        RecordMilestone(
            milestone=Milestone.DEVELOPMENT_AREA_CHOSEN,
            adviser=adviser,
            development_area="basic_skills",
            note="Reading in grades 1-7.",
        ),
        RecordMilestone(
            milestone=Milestone.GOALS_PRIORITISED,
            adviser=adviser,
            goals=[
                "Fewer pupils at mastery level 1 in reading in grade 5",
                "Every school has a shared plan for reading instruction",
            ],
        ),
    ]
    return tuple(plan[:count])


DEMO_PERIODS: tuple[DemoPeriod, ...] = (
    DemoPeriod("3301", ("a.hansen", "b.olsen"), weeks_ago=3, meeting="kickoff", meeting_in_days=3),
    DemoPeriod("4601", ("k.johansen",), weeks_ago=12, milestones=_milestones("k.johansen", 1)),
    DemoPeriod(
        "5001",
        ("m.larsen", "a.hansen"),
        weeks_ago=22,
        milestones=_milestones("m.larsen", 3),
        meeting="phase_review",
        environments=(("skrivesenteret", "proposed"),),
    ),
    DemoPeriod(
        "5501",
        ("s.berg",),
        weeks_ago=36,
        milestones=_milestones("s.berg", 4),
        meeting="school_visit",
        meeting_in_days=10,
        schools=("Kroken skole", "Tromsdalen skole"),
        environments=(
            ("lesesenteret", "proposed"),
            ("uit", "proposed"),
            ("lesesenteret", "contacted"),
            ("lesesenteret", "agreed"),
        ),
    ),
    DemoPeriod("1804", ("i.nilsen",), weeks_ago=17, meeting_in_days=2),
    DemoPeriod("46", ("t.haugen", "b.olsen"), weeks_ago=8, meeting="network", meeting_in_days=14),
)


def _start_date(today: date, weeks_ago: int) -> date:
    """The first working day on or after the day `weeks_ago` weeks before today."""
    return next_working_day(today - timedelta(weeks=weeks_ago))


async def _bring_forward(
    client: Client, workflow_id: str, demo: DemoPeriod, today: date, gathering: GatheringInvitation
) -> tuple[PeriodStatus, ScheduleMeeting]:
    """Record the period's milestones, agree its next meeting and invite it to the gathering."""
    for milestone in demo.milestones:
        await record_milestone(client, workflow_id, milestone)
    for environment_id, state in demo.environments:
        step = RecordCompetenceEnvironment(
            environment=environment_by_id(environment_id).ref(), state=state, adviser=demo.advisers[0]
        )
        await record_competence_environment(client, workflow_id, step)
    meeting = ScheduleMeeting(
        kind=demo.meeting,
        date=next_working_day(today + timedelta(days=demo.meeting_in_days)),
        adviser=demo.advisers[0],
        schools=list(demo.schools),
        title=f"{demo.meeting.replace('_', ' ').capitalize()} with {owner_by_id(demo.owner_id).name}",
    )
    status = await schedule_meeting(client, workflow_id, meeting)
    await invite_to_gathering(client, workflow_id, gathering)
    return status, meeting


async def run_demo(client: Client, *, today: date | None = None, out: TextIO = sys.stdout) -> list[str]:
    """Start the demo periods that do not exist yet; return the workflow ids of those started now.

    A period the engine refuses to bring forward is reported and the others still start, so the
    Web UI shows what went wrong instead of an empty list.
    """
    today = today or date.today()
    gathering = GatheringInvitation(
        gathering_id=f"{DEMO_COHORT}-start",
        title="National gathering: the school owner's role in development work",
        date=next_working_day(today + timedelta(weeks=3)),
        place="Utdanningsdirektoratet, Oslo",
    )
    print(f"Demo periods (cohort {DEMO_COHORT}):", file=out)
    started: list[str] = []
    for demo in DEMO_PERIODS:
        period = PeriodInput(
            cohort=DEMO_COHORT,
            owner=owner_by_id(demo.owner_id),
            advisers=list(demo.advisers),
            start_date=_start_date(today, demo.weeks_ago),
            schools=list(demo.schools),
        )
        workflow_id = period_workflow_id(DEMO_COHORT, demo.owner_id)
        try:
            await start_period(client, period)
        except PeriodAlreadyExists:
            print(f"  {workflow_id}: exists, left as it is", file=out)
            continue
        started.append(workflow_id)
        try:
            status, meeting = await _bring_forward(client, workflow_id, demo, today, gathering)
        except (GuidanceError, RPCError) as error:
            print(f"  {workflow_id}: started, but the engine refused the demo steps: {error}", file=out)
            continue
        print(f"  {workflow_id}: {status.phase}, next meeting {meeting.date} ({meeting.kind})", file=out)
    return started
