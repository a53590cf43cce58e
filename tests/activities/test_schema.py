"""The schema applies at every worker start, also from several workers at once, and has the natural keys."""

from __future__ import annotations

import asyncio

import asyncpg

from activities.db import apply_schema, create_pool
from domain.records import PeriodSnapshot
from tests.activities.store_rows import TABLES

PRIMARY_KEYS = {
    "periods": ["workflow_id"],
    "phase_transitions": ["workflow_id", "sequence"],
    "milestones": ["workflow_id", "cycle", "milestone"],
    "meetings": ["workflow_id", "meeting_id"],
    "reminders": ["workflow_id", "notice_key"],
    "escalations": ["workflow_id", "notice_key"],
    "gatherings": ["workflow_id", "gathering_id"],
    "final_evaluations": ["workflow_id"],
    "outbox": ["message_key"],
    "audit_log": ["workflow_id", "event_key"],
    "invitations": ["cohort", "owner_id"],
    "national_gatherings": ["cohort", "gathering_id"],
    "gathering_guests": ["cohort", "gathering_id", "owner_id"],
    "programme_plans": ["plan", "version"],
    "selection_decisions": ["cohort"],
    "owner_contacts": ["workflow_id"],
    "competence_environments": ["workflow_id", "cycle", "environment_id"],
    "county_assessments": ["cohort", "owner_id"],
    "web_indicator_files": ["sha256"],
    "schema_version": ["version"],
    "web_secret": ["only_row"],
    "web_sign_in_failures": ["key_digest", "attempt"],
    "web_session_generations": ["user_name"],
    "web_render_slots": ["slot"],
}

PRIMARY_KEY_COLUMNS = """
SELECT tc.table_name, kcu.column_name
FROM information_schema.table_constraints tc
JOIN information_schema.key_column_usage kcu
  ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'
ORDER BY tc.table_name, kcu.ordinal_position
"""


async def _primary_keys(pool: asyncpg.Pool) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for row in await pool.fetch(PRIMARY_KEY_COLUMNS):
        keys.setdefault(row["table_name"], []).append(row["column_name"])
    return keys


async def test_schema_applies_again_without_error_and_keeps_its_keys(pool: asyncpg.Pool) -> None:
    await apply_schema(pool)
    await apply_schema(pool)

    assert await _primary_keys(pool) == PRIMARY_KEYS
    assert set(TABLES) < set(PRIMARY_KEYS)
    assert await pool.fetchval("SELECT count(*) FROM schema_version") == 1


async def test_workers_starting_together_apply_the_schema_once(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=3, max_size=3)
    try:
        await asyncio.gather(*(apply_schema(pool) for _ in range(3)))
        assert await _primary_keys(pool) == PRIMARY_KEYS
    finally:
        await pool.close()


async def test_periods_has_a_column_for_every_snapshot_field(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'periods' ORDER BY ordinal_position"
    )

    assert [row["column_name"] for row in rows] == list(PeriodSnapshot.model_fields)


async def test_reports_find_periods_by_cohort_phase_and_due_date(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'periods'")

    assert {row["indexname"] for row in rows} >= {
        "periods_cohort_idx",
        "periods_phase_idx",
        "periods_open_due_idx",
        "periods_overdue_idx",
    }
