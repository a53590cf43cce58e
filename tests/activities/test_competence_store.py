"""A period's competence environment is one row per cycle and environment, where it stands and the day of each step;
every step leaves an audit entry, and a late write of an older step never takes the row back."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from tests.activities import factories
from tests.activities.factories import STARTED_AT, WORKFLOW_ID


async def test_each_step_updates_the_row_and_leaves_an_audit_entry(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    state = factories.with_development_area()
    day = STARTED_AT + timedelta(days=10)
    proposed = factories.competence_step(state, "proposed", day, "update:p", note="Early reading")
    contacted = factories.competence_step(state, "contacted", day + timedelta(days=10), "update:c")
    agreed = factories.competence_step(state, "agreed", day + timedelta(days=20), "update:a", note="Two seminars")

    await env.run(store.record_competence_environment, proposed)
    await env.run(store.record_competence_environment, agreed)
    await env.run(store.record_competence_environment, contacted)  # late: an older step
    await env.run(store.record_competence_environment, agreed)  # again: a retry

    [row] = await pool.fetch("SELECT * FROM competence_environments")
    assert (row["workflow_id"], row["cycle"], row["environment_id"], row["state"]) == (
        WORKFLOW_ID,
        1,
        "lesesenteret",
        "agreed",
    )
    assert (row["proposed_on"], row["contacted_on"], row["agreed_on"]) == (
        date(2027, 1, 14),
        date(2027, 1, 24),
        date(2027, 2, 3),
    )
    assert (row["note"], row["development_area"], row["name"]) == ("Two seminars", "basic_skills", "Lesesenteret")
    actions = await pool.fetch("SELECT event_key, action FROM audit_log ORDER BY at")
    assert [(a["event_key"], a["action"]) for a in actions] == [
        ("update:p", "competence environment proposed"),
        ("update:c", "competence environment contacted"),
        ("update:a", "competence environment agreed"),
    ]
