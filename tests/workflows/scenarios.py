"""Scripted periods shared by the benchmarks and the recorder of replay histories."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from config.settings import VeilederkorpsetSettings, resolve_plan
from domain import calendar
from domain.models import GatheringInvitation, PeriodInput, PeriodStatus, RecordMilestone, ScheduleMeeting
from domain.programme import ProgrammePlan
from domain.visibility import initial_search_attributes
from workflows.guidance_period import GuidancePeriodWorkflow

FULL_PERIOD_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("mapping_done", {}),
    ("anchoring_done", {}),
    ("development_area_chosen", {"development_area": "classroom_management"}),
    ("goals_prioritised", {"goals": ["Calm classrooms", "Shared routines"]}),
    ("measures_implemented", {}),
    ("evaluation_done", {"next_cycle": True}),
]


async def start_period(
    client: Client,
    env: WorkflowEnvironment,
    task_queue: str,
    plan: ProgrammePlan,
    prefix: str,
    owner: dict[str, str],
    start: date | None = None,
) -> WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]:
    """Start `owner`'s period on `plan` in a cohort of its own (``{prefix}…``), on `start` or else on the
    next working day of the server's clock."""
    if start is None:
        today = calendar.local_date(await env.get_current_time(), plan.timezone)
        start = calendar.next_working_day(today + timedelta(days=1), plan.calendar_country)
    period = PeriodInput.model_validate(
        {
            "cohort": f"{prefix}{uuid.uuid4().hex[:6]}",
            "owner": owner,
            "advisers": ["a.hansen", "b.olsen"],
            "start_date": start,
            "plan": plan.name,
            "programme": plan,
        }
    )
    return await client.start_workflow(
        GuidancePeriodWorkflow.run,
        period,
        id=f"guidance-period-{period.cohort}-{period.owner.id}",
        task_queue=task_queue,
        # As the `guidance` command and a cohort start a period: its first workflow task then upserts nothing.
        search_attributes=initial_search_attributes(period),
    )


async def full_period(
    client: Client, env: WorkflowEnvironment, task_queue: str
) -> WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]:
    """Start a period and walk it through every phase, two meetings a phase and a gathering every other
    phase, into a second cycle; the caller awaits the result, which runs it to expiry."""
    plan = VeilederkorpsetSettings().plan()
    owner = {"id": "4601", "name": "Bergen", "kind": "municipality", "county": "46"}
    handle = await start_period(client, env, task_queue, plan, "sim", owner)
    for index, (milestone, extra) in enumerate(FULL_PERIOD_STEPS):
        for _ in range(2):
            now = calendar.local_date(await env.get_current_time(), plan.timezone)
            day = calendar.next_working_day(now + timedelta(days=7))
            meeting = ScheduleMeeting.model_validate({"kind": "follow_up", "date": day, "adviser": "a.hansen"})
            await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, meeting)
            await env.sleep(timedelta(weeks=6))
        if index % 2 == 0:
            invitation = GatheringInvitation.model_validate(
                {"gathering_id": f"g{index}", "title": "National gathering", "date": day}
            )
            await handle.signal(GuidancePeriodWorkflow.gathering_invitation, invitation)
        update = RecordMilestone.model_validate({"milestone": milestone, "adviser": "b.olsen", **extra})
        await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)
    return handle


def closing_update(plan: ProgrammePlan, phase: str, adviser: str, on: date | None = None) -> RecordMilestone:
    """The update that closes `phase` of `plan`, carrying what its milestone records; an optional phase is skipped.

    A report is handed in `on` (a day of the period, not after today: the caller's clock), with a case number."""
    step = plan.phase_plan(phase)
    extra: dict[str, Any] = {}
    if step.optional:
        extra["skipped"] = True
    elif step.records == "development_area":
        extra["development_area"] = next(a for a in plan.development_areas if a != "other")
    elif step.records == "goals":
        extra["goals"] = ["More pupils read at mastery level 3"]
    elif step.records == "partner":
        extra["partner"] = "guidance_corps"
    elif step.records == "report":
        if on is None:
            raise ValueError(f"{step.closing_milestone} records a report: give the day it was handed in")
        extra["report_date"] = on
        extra["report_ref"] = f"{on.year}/{100 + plan.phases.index(step)}-1"
    return RecordMilestone.model_validate({"milestone": step.closing_milestone, "adviser": adviser, **extra})


async def plan_period(
    client: Client, env: WorkflowEnvironment, task_queue: str, plan: ProgrammePlan, start: date | None = None
) -> WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]:
    """Start a period on `plan` (on `start`, or the next working day) and close every phase but the last as it
    falls due (an optional one skipped); the caller awaits the result, which runs it to its maximum duration."""
    owner = {"id": "1804", "name": "Bodø", "kind": "municipality", "county": "18"}
    handle = await start_period(client, env, task_queue, plan, "plan", owner, start)
    for phase in plan.phases[:-1]:
        await env.sleep(timedelta(weeks=phase.expected_weeks))
        today = calendar.local_date(await env.get_current_time(), plan.timezone)
        update = closing_update(plan, phase.phase, "b.olsen", today)
        await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)
    return handle


async def shipped_plan_period(
    client: Client, env: WorkflowEnvironment, task_queue: str, name: str
) -> WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]:
    """A full period of the shipped plan `name`: the flagship's through every phase with meetings and gatherings
    (`full_period`), any other plan's closing each phase as it falls due (`plan_period`); the caller awaits the
    result, which runs it to its end."""
    if name == "veilederkorpset":
        return await full_period(client, env, task_queue)
    return await plan_period(client, env, task_queue, resolve_plan(name))


#: The follow-up scheme's report handed in late by `followup_period`, and how long after its due day.
LATE_REPORT_PHASE = "year_two_report"
LATE_BY = timedelta(weeks=6)


async def followup_period(
    client: Client, env: WorkflowEnvironment, task_queue: str, *, on_at_risk: Any = None
) -> WorkflowHandle[GuidancePeriodWorkflow, PeriodStatus]:
    """A follow-up scheme period (plans/oppfolgingsordningen.toml) from start to its final report: each phase closed
    a week before it is due (so each passes its `at_risk_share` first and its advisers are warned), a meeting
    agreed in each, the support agreed with an expert partner, and the report after year two handed in
    `LATE_BY` after its due day (reminded, reminded again, escalated). `on_at_risk(handle)`, if given, is awaited
    once the first phase is at risk and before it is due. The caller awaits the result: the period completes."""
    plan = resolve_plan("oppfolgingsordningen")
    owner = {"id": "1804", "name": "Bodø", "kind": "municipality", "county": "18"}
    handle = await start_period(client, env, task_queue, plan, "oppf", owner)
    for index, phase in enumerate(plan.phases):
        today = calendar.local_date(await env.get_current_time(), plan.timezone)
        meeting = ScheduleMeeting.model_validate(
            {"kind": "follow_up", "date": calendar.next_working_day(today + timedelta(days=14)), "adviser": "a.hansen"}
        )
        await handle.execute_update(GuidancePeriodWorkflow.schedule_meeting, meeting)
        status = await handle.query(GuidancePeriodWorkflow.status)
        assert status.phase_due_at is not None and status.at_risk_at is not None, status.phase
        if index == 0 and on_at_risk is not None:
            await env.sleep(status.at_risk_at - await env.get_current_time() + timedelta(hours=1))
            await on_at_risk(handle)
        if phase.phase == LATE_REPORT_PHASE:
            await env.sleep(status.phase_due_at - await env.get_current_time() + LATE_BY)
        else:
            await env.sleep(status.phase_due_at - await env.get_current_time() - timedelta(weeks=1))
        today = calendar.local_date(await env.get_current_time(), plan.timezone)
        update = closing_update(plan, phase.phase, "b.olsen", today - timedelta(days=1))
        if phase.records == "partner":
            named = {"partner": "expert_partner", "partner_name": "Nord universitet"}
            update = RecordMilestone.model_validate({**update.model_dump(exclude_none=True), **named})
        await handle.execute_update(GuidancePeriodWorkflow.record_milestone, update)
    return handle
