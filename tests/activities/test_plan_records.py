"""A period of another plan than the flagship is stored with its own phases, milestones and meeting kinds."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from config.settings import resolve_plan
from domain.models import PeriodInput, RecordMilestone, SchoolOwner
from domain.period import apply_milestone, apply_planned_meetings, new_state
from domain.records import MilestoneRecord, PeriodSnapshot, PhaseTransition
from tests.activities import factories
from tests.activities.factories import STARTED_AT, WORKFLOW_ID


async def test_a_swedish_plans_phases_milestones_and_proposed_meetings_are_stored(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    period = PeriodInput(
        cohort="2027",
        owner=SchoolOwner(id="3301", name="Drammen", kind="municipality", county="33"),
        advisers=["a.hansen"],
        start_date=date(2027, 1, 4),
        plan="leda-for-skolutveckling",
    )
    state = new_state(period, resolve_plan("leda-for-skolutveckling"))
    await env.run(store.record_period_started, factories.period_started(state))
    proposed = apply_planned_meetings(state, STARTED_AT)
    learning_team = next(m for m in proposed if m.series == "learning_team")
    proposal = factories.audit("plan:plan-learning_team-1", "plan", "meeting proposed by the plan", STARTED_AT)
    await env.run(store.record_meeting, factories.meeting_record(state, learning_team, proposal))
    at = STARTED_AT + timedelta(weeks=10)
    update = RecordMilestone(milestone="startup_done", adviser="a.hansen", note="uppstartsträff hållen")
    entry, change = apply_milestone(state, update, at)
    record = MilestoneRecord(
        period=PeriodSnapshot.of(state, WORKFLOW_ID, at),
        milestone=entry,
        transition=PhaseTransition.of(change, WORKFLOW_ID, at, "a.hansen"),
        audit=factories.audit("update:m-1", "a.hansen", "milestone startup_done", at),
    )

    await env.run(store.record_milestone, record)

    row = await pool.fetchrow("SELECT phase, plan, plan_version FROM periods WHERE workflow_id = $1", WORKFLOW_ID)
    assert row is not None and dict(row) == {
        "phase": "development_focus",
        "plan": "leda-for-skolutveckling",
        "plan_version": state.plan.version,
    }
    assert await pool.fetchval("SELECT milestone FROM milestones") == "startup_done"
    meeting = await pool.fetchrow("SELECT kind, series, meeting_id, timezone FROM meetings")
    assert meeting is not None and dict(meeting) == {
        "kind": "learning_team",
        "series": "learning_team",
        "meeting_id": "plan-learning_team-1",
        "timezone": "Europe/Stockholm",
    }
