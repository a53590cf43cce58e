"""Reminders go to the advisers, escalations to the Directorate, each as one outbox letter."""

from __future__ import annotations

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from tests.activities import factories


async def test_a_phase_reminder_is_a_letter_to_every_adviser(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    record = factories.notice(factories.new_period(), "phase_reminder")

    await env.run(store.send_notice, record)

    letter = await pool.fetchrow("SELECT * FROM outbox")
    assert letter is not None
    assert letter["kind"] == "reminder"
    assert letter["recipients"] == ["a.hansen@veileder.test", "b.olsen@veileder.test"]
    assert letter["message_key"] == f"{factories.WORKFLOW_ID}/{record.notice.key}"
    # Drammen reads bokmål (config/data/languages.csv lists no other language for it).
    assert letter["subject"] == "Påminnelse: Drammen (3301), Kartlegging og analyse er forfalt"
    assert letter["sent_at"] is None
    reminder = await pool.fetchrow("SELECT * FROM reminders")
    assert reminder is not None
    assert (reminder["kind"], reminder["phase"]) == ("phase_reminder", "mapping")


async def test_an_escalation_is_a_letter_to_the_directorate(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    record = factories.notice(factories.new_period(), "escalation")

    await env.run(store.send_notice, record)

    letter = await pool.fetchrow("SELECT * FROM outbox")
    assert letter is not None
    assert letter["kind"] == "escalation"
    assert letter["recipients"] == ["veilederkorpset@udir.test"]
    assert "Drammen (3301)" in letter["subject"]
    assert await pool.fetchval("SELECT count(*) FROM reminders") == 0
