"""The `periods` row follows the newest snapshot; an older one arriving late never regresses it."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from domain.phases import Phase
from domain.programme import ProgrammePlan
from tests.activities import factories
from tests.activities.factories import STARTED_AT, WORKFLOW_ID


async def _period(pool: asyncpg.Pool) -> asyncpg.Record:
    row = await pool.fetchrow("SELECT * FROM periods WHERE workflow_id = $1", WORKFLOW_ID)
    assert row is not None
    return row


async def test_a_newer_snapshot_moves_the_period_on(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    await env.run(store.record_period_started, factories.period_started(state))
    milestone = factories.mapping_done(state, STARTED_AT + timedelta(weeks=6))

    await env.run(store.record_milestone, milestone)

    row = await _period(pool)
    assert row["phase"] == Phase.ANCHORING
    assert row["updated_at"] == milestone.period.updated_at
    assert row["advisers"] == factories.ADVISERS
    assert row["ends_at"] == milestone.period.ends_at


async def test_an_older_snapshot_arriving_late_does_not_regress_the_period(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    started = factories.period_started(state)
    milestone = factories.mapping_done(state, STARTED_AT + timedelta(weeks=6))
    await env.run(store.record_milestone, milestone)
    late = started.model_copy(update={"audit": started.audit.model_copy(update={"event_key": "started-late"})})

    await env.run(store.record_period_started, late)

    row = await _period(pool)
    assert row["phase"] == Phase.ANCHORING
    assert row["updated_at"] == milestone.period.updated_at
    assert await pool.fetchval("SELECT count(*) FROM audit_log") == 2


async def test_a_notice_updates_the_period_to_overdue(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    await env.run(store.record_period_started, factories.period_started(state))
    assert (await _period(pool))["overdue"] is False

    await env.run(store.send_notice, factories.notice(state, "phase_reminder"))

    assert (await _period(pool))["overdue"] is True


async def test_the_audit_log_keeps_who_did_what_with_its_details(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    milestone = factories.mapping_done(state, STARTED_AT + timedelta(weeks=6))

    await env.run(store.record_milestone, milestone)

    entry = await pool.fetchrow("SELECT * FROM audit_log WHERE workflow_id = $1", WORKFLOW_ID)
    assert entry is not None
    assert (entry["event_key"], entry["actor"], entry["at"]) == ("update:milestone-1", "a.hansen", milestone.audit.at)
    assert entry["details"] == {"milestone": "mapping_done"}


async def test_a_period_start_keeps_its_plan_version_once_however_often_it_is_written(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    started = factories.period_started(state)
    await env.run(store.record_period_started, started)
    await env.run(store.record_period_started, started)  # a retried activity

    rows = await pool.fetch("SELECT plan, version, definition FROM programme_plans")
    assert [(r["plan"], r["version"]) for r in rows] == [(state.plan.name, state.plan.version)]
    assert ProgrammePlan.model_validate(rows[0]["definition"]) == state.plan
