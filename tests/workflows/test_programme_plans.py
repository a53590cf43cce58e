"""Every shipped programme plan runs on `GuidancePeriodWorkflow`, start to maximum duration (issue 5).

Time-skipping server, the real workflow, recording fakes for the activities (tests/helpers/fakes.py). Each plan's
period closes every phase but the last as it falls due (an optional phase skipped) and then expires at its
maximum duration; the test checks the phases passed, the plan's proposed meetings and gatherings (counted
against an independent reading of the plan's cadence, each recorded once) and that none falls on a
weekend or a public holiday of the plan's country. Each plan starts on a chosen spread of days (a
time-skipping server of its own, its clock pinned the day before), so what the test meets does not depend on
the day it runs.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from config.plan_files import SHIPPED_PLANS_DIR, load_plan_file, plan_names
from config.settings import resolve_plan
from domain import calendar
from domain.contract import Activities
from domain.models import PeriodStatus, ScheduleMeeting
from domain.programme import GATHERING_KINDS, WEEKDAYS, MeetingSeries, ProgrammePlan
from domain.records import MeetingRecord, MilestoneRecord
from tests.helpers.clock import server_before
from tests.helpers.harness import Harness, harness_on
from tests.workflows.scenarios import closing_update, plan_period
from workflows.guidance_period import GuidancePeriodWorkflow

SHIPPED = plan_names(SHIPPED_PLANS_DIR)


def test_the_five_plans_of_the_seeds_and_the_follow_up_scheme_are_shipped() -> None:
    assert SHIPPED == [
        "led-skole",
        "leda-for-skolutveckling",
        "oppfolgingsordningen",
        "profesjonsfellesskap",
        "rektorutdanning",
        "veilederkorpset",
    ]


def _start_days() -> list[date]:
    """A chosen spread of start days: the first working day of every month over three years, so that a plan's
    cadence meets Easter, Midsummer and Christmas at different points of its weekly and monthly rhythm."""
    return [calendar.next_working_day(date(2027 + n // 12, 1 + n % 12, 1)) for n in range(36)]


START_DAYS = _start_days()


@pytest.mark.parametrize("start", START_DAYS, ids=[d.isoformat() for d in START_DAYS])
@pytest.mark.parametrize("name", SHIPPED)
async def test_a_plan_runs_from_start_to_its_maximum_duration(name: str, start: date) -> None:
    plan = resolve_plan(name)
    start = calendar.next_working_day(start, plan.calendar_country)
    env = await server_before(start)
    try:
        async with harness_on(env) as harness:
            handle = await plan_period(env.client, env, harness.task_queue, plan, start)
            harness.track(handle.id)
            status: PeriodStatus = await handle.result()
            await _check_the_plan_ran(harness, plan, status, start)
    finally:
        await env.shutdown()


async def _check_the_plan_ran(harness: Harness, plan: ProgrammePlan, status: PeriodStatus, start: date) -> None:
    # Phases: each closed in order by its milestone, the last one reached and expired in at the maximum.
    assert status.plan == plan.name and status.plan_version == plan.version
    assert [m.milestone for m in status.milestones] == [p.closing_milestone for p in plan.phases[:-1]]
    assert [m.skipped for m in status.milestones] == [p.optional for p in plan.phases[:-1]]
    records: list[MilestoneRecord] = await harness.fakes.received(Activities.RECORD_MILESTONE, len(plan.phases) - 1)
    assert [r.transition.to_phase for r in records] == list(plan.phase_names[1:])
    assert status.phase == "expired"
    assert status.end_reason == f"maximum duration of {plan.max_months} months reached in phase {plan.phases[-1].phase}"
    assert status.start_date == start

    # Proposed meetings: exactly the plan's cadence, each recorded once.
    expected = {series.id: len(_cadence_days(series, plan, start)) for series in plan.meetings}
    assert Counter(m.series for m in status.meetings) == Counter(expected)
    for series in plan.meetings:
        days = [m.date for m in status.meetings if m.series == series.id]
        assert days == _cadence_days(series, plan, start), series.id
    gatherings = [m for m in status.meetings if m.kind in GATHERING_KINDS]
    assert len(gatherings) == sum(n for s in plan.meetings if s.is_gathering for n in [expected[s.id]])
    meetings: list[MeetingRecord] = await harness.fakes.received(Activities.RECORD_MEETING, len(status.meetings))
    assert sorted(r.meeting.meeting_id for r in meetings) == sorted(m.meeting_id for m in status.meetings)

    # All on working days of the plan's country, so none on one of its public holidays, all within the period.
    public = holidays.country_holidays(plan.calendar_country, years=range(start.year, start.year + 11))
    for meeting in status.meetings:
        assert calendar.is_working_day(meeting.date, plan.calendar_country), meeting
        assert meeting.date not in public, (meeting, public.get(meeting.date))
        assert start <= meeting.date < calendar.add_months(start, plan.max_months)


#: The plans whose periods a cohort invites to national gatherings (the guidance corps' own and the follow-up scheme).
COHORT_GATHERINGS = ("veilederkorpset", "oppfolgingsordningen")


def test_every_shipped_plan_proposes_gatherings_except_those_whose_cohort_invites() -> None:
    for name in SHIPPED:
        plan = resolve_plan(name)
        gathering_series = [s.id for s in plan.meetings if s.is_gathering]
        assert bool(gathering_series) == (name not in COHORT_GATHERINGS), name


def _cadence_days(series: MeetingSeries, plan: ProgrammePlan, start: date) -> list[date]:
    """The series read from its description (`MeetingSeries`), on the engine's working-day calendar."""
    end = calendar.add_months(start, min(plan.max_months, series.until_months or plan.max_months))
    first = start + timedelta(weeks=series.first_after_weeks)
    days: list[date] = []
    n = 0
    while True:
        if series.every_weeks:
            nominal = first + timedelta(weeks=n * series.every_weeks)
        else:
            nominal = calendar.add_months(first, n * (series.every_months or 0))
        n += 1
        if nominal >= end:
            return days
        if nominal.month in series.skip_months:
            continue
        day = nominal
        while series.weekday is not None and day.weekday() != WEEKDAYS.index(series.weekday):
            day += timedelta(days=1)
        day = calendar.next_working_day(day, plan.calendar_country)
        if day < end and day.month not in series.skip_months and (not days or day > days[-1]):
            days.append(day)


async def test_a_plan_file_edited_after_a_period_started_does_not_change_that_period(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    path = plans / "rektorutdanning.toml"
    path.write_text((SHIPPED_PLANS_DIR / "rektorutdanning.toml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("GUIDANCE_PLANS_DIR", str(plans))
    first = await harness.start_period_with_client(await harness.period_input(with_plan=False, plan="rektorutdanning"))
    before = await first.query(GuidancePeriodWorkflow.status)

    # The Directorate shortens the studies, gathers every four weeks and calls it a new version.
    text = path.read_text(encoding="utf-8")
    edited = text.replace('version = "2026.2"', 'version = "2027.1"').replace(
        "expected_weeks = 48", "expected_weeks = 20"
    )
    path.write_text(edited.replace("every_weeks = 6", "every_weeks = 4"), encoding="utf-8")
    assert resolve_plan("rektorutdanning").version == "2027.1"
    second = await harness.start_period_with_client(
        await harness.period_input(with_plan=False, plan="rektorutdanning", cohort="edited")
    )

    plan = load_plan_file(SHIPPED_PLANS_DIR / "rektorutdanning.toml")
    for phase in plan.phases[:2]:  # into the studies, whose due date shows the weeks the period keeps
        await harness.sleep(timedelta(weeks=phase.expected_weeks))
        for handle in (first, second):
            await handle.execute_update(
                GuidancePeriodWorkflow.record_milestone, closing_update(plan, phase.phase, "a.hansen")
            )
    running = await first.query(GuidancePeriodWorkflow.status)
    newer = await second.query(GuidancePeriodWorkflow.status)
    assert (running.plan_version, newer.plan_version) == ("2026.2", "2027.1")
    assert running.phase == newer.phase == "studies"
    assert running.phase_due_at is not None and newer.phase_due_at is not None
    assert running.phase_due_at - newer.phase_due_at >= timedelta(weeks=27)  # 48 against 20 weeks, on working days
    assert running.meetings == before.meetings  # the proposals were made at the start, on the plan of the start
    gatherings = Counter(m.series for m in running.meetings)["gathering"]
    assert Counter(m.series for m in newer.meetings)["gathering"] > gatherings


async def test_a_proposed_meeting_is_moved_by_an_update_and_keeps_its_series(harness: Harness) -> None:
    plan = resolve_plan("rektorutdanning")
    period = await harness.period_input(with_plan=False, plan=plan.name)
    handle = await harness.start_period(period.model_copy(update={"programme": plan}))
    proposed = next(m for m in (await handle.query(GuidancePeriodWorkflow.status)).meetings if m.series == "gathering")
    saturday = proposed.date + timedelta(days=(5 - proposed.date.weekday()) % 7 or 7)
    request = {"kind": "gathering", "adviser": "a.hansen", "meeting_id": proposed.meeting_id}

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            GuidancePeriodWorkflow.schedule_meeting, ScheduleMeeting.model_validate({**request, "date": saturday})
        )
    assert "meetings fall on working days" in str(refused.value.cause)

    monday = calendar.next_working_day(saturday + timedelta(days=2))
    status = await handle.execute_update(
        GuidancePeriodWorkflow.schedule_meeting,
        ScheduleMeeting.model_validate({**request, "date": monday, "title": proposed.title}),
    )
    moved = next(m for m in status.meetings if m.meeting_id == proposed.meeting_id)
    assert (moved.date, moved.sequence, moved.series) == (monday, 1, "gathering")
    records: list[MeetingRecord] = await harness.fakes.received(Activities.RECORD_MEETING, len(status.meetings) + 1)
    assert [r.meeting.sequence for r in records if r.meeting.meeting_id == proposed.meeting_id] == [0, 1]


async def test_a_period_started_with_all_its_search_attributes_upserts_none_until_it_changes(
    harness: Harness,
) -> None:
    handle = await harness.start_period_with_client(await harness.period_input(with_plan=False, plan="rektorutdanning"))
    plan = resolve_plan("rektorutdanning")
    await harness.settled(handle)

    async def upserts() -> list[set[str]]:
        """The attributes each upsert set, but for the SDK's upserts of TemporalChangeVersion (one for each patch
        a period meets)."""
        return [
            names
            async for e in handle.fetch_history_events()
            if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
            and (names := set(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields))
            != {"TemporalChangeVersion"}
        ]

    # The start gave phase, due date, overdue, plan and version: nothing of ours to upsert.
    assert await upserts() == []
    await harness.sleep(timedelta(weeks=1))
    await handle.execute_update(GuidancePeriodWorkflow.record_milestone, closing_update(plan, "enrolment", "a.hansen"))
    await harness.settled(handle)
    changed = await upserts()
    assert len(changed) == 1 and {"GuidancePhase", "PhaseDueAt"} <= changed[0]  # the new phase and its due date
