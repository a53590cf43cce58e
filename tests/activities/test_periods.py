"""The `periods` row follows the newest snapshot; an older one arriving late never regresses it."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.record_store import INSERT_AUDIT, RecordStore
from domain import period_changes
from domain.effects import Occasion
from domain.models import ChangeAdvisers
from domain.phases import Phase
from domain.programme import ProgrammePlan
from domain.records import AdvisersChangeRecord
from readmodel.records import RecordReader
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


async def test_new_advisers_replace_the_periods_advisers_with_one_audit_entry_from_whom_to_whom(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    await env.run(store.record_period_started, factories.period_started(state))
    at = STARTED_AT + timedelta(weeks=3)
    request = ChangeAdvisers(advisers=["c.berg", "a.hansen"], by="k.nilsen", reason="b.olsen on leave")
    [pending] = period_changes.advisers_changed(state, request, Occasion(WORKFLOW_ID, at, "update:u7")).records
    record = AdvisersChangeRecord.model_validate(pending.payload)

    await env.run(store.record_advisers_change, record)
    await env.run(store.record_advisers_change, record)  # a retry changes nothing

    row = await _period(pool)
    assert row["advisers"] == ["c.berg", "a.hansen"] and row["updated_at"] == at
    entries = await pool.fetch("SELECT * FROM audit_log WHERE event_key = 'update:u7'")
    assert [(e["actor"], e["action"], e["details"]) for e in entries] == [
        (
            "k.nilsen",
            "advisers changed",
            {"previous": ["a.hansen", "b.olsen"], "advisers": ["c.berg", "a.hansen"], "reason": "b.olsen on leave"},
        )
    ]
    # The web app reads it back newest first, the change as old -> new.
    log = await RecordReader(pool).audit_log(WORKFLOW_ID)
    assert [(e.action, e.details_text) for e in log.entries] == [
        ("advisers changed", "a.hansen, b.olsen → c.berg, a.hansen; reason: b.olsen on leave"),
        ("period started", "plan: " + state.plan.version),
    ]
    assert (log.total, log.cut) == (2, False)


async def test_a_withdrawal_keeps_the_reason_and_the_day_the_period_ended(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    await env.run(store.record_period_started, factories.period_started(state))
    at = STARTED_AT + timedelta(weeks=9)

    await env.run(store.record_phase_change, factories.withdrawal(state, at))

    row = await _period(pool)
    assert (row["phase"], row["ended_at"]) == (Phase.WITHDRAWN, at)
    assert row["end_reason"] == "withdrawn by kommunedirektør: new municipal leadership"
    assert row["phase_due_at"] is None


async def test_the_audit_log_a_page_reads_is_bounded_newest_first(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.new_period()
    await env.run(store.record_period_started, factories.period_started(state))
    for n in range(1, 6):
        entry = factories.audit(f"note-{n}", "a.hansen", f"note {n}", STARTED_AT + timedelta(days=n))
        await pool.execute(
            INSERT_AUDIT,
            *(entry.workflow_id, entry.event_key, entry.at, entry.actor, entry.action, entry.details),
        )

    log = await RecordReader(pool).audit_log(WORKFLOW_ID, limit=3)

    assert [e.action for e in log.entries] == ["note 5", "note 4", "note 3"]
    assert (log.total, log.cut) == (6, True)
