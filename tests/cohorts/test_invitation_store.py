"""The `record_invitation` activity on a real PostgreSQL: one row per (cohort, owner), one letter per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from tests.activities.factories import invitation

AT = datetime(2027, 1, 4, 9, tzinfo=UTC)


async def test_invitations_are_idempotent_and_newer_rows_win(store: RecordStore, pool: asyncpg.Pool) -> None:
    env = ActivityEnvironment()
    invited = invitation("invited", "invited", AT)
    reminded = invitation("reminded", "reminded", AT + timedelta(days=21))
    accepted = invitation("accepted", "accepted", AT + timedelta(days=22), by="Statsforvalteren i Vestland")

    for item in (invited, invited, reminded, accepted, reminded):  # a retry and a late, older write
        await env.run(store.record_invitation, item)

    rows = await pool.fetch("SELECT state, answered_by, period_workflow_id FROM invitations")
    assert [tuple(r) for r in rows] == [("accepted", "Statsforvalteren i Vestland", "guidance-period-2027-4617")]
    letters = await pool.fetch("SELECT kind, recipients, body FROM outbox ORDER BY created_at")
    assert [(r["kind"], r["recipients"]) for r in letters] == [
        ("invitation_letter", ["sf46@statsforvalteren.no"]),
        ("invitation_reminder", ["sf46@statsforvalteren.no"]),
    ]
    # Statsforvalteren i Vestland reads nynorsk (config/data/languages.csv).
    assert "Nettverk: Sunnhordland" in letters[0]["body"]
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE workflow_id = 'cohort-2027'") == 3
