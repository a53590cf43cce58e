"""The `record_county_assessment` activity on a real PostgreSQL: one row per (cohort, owner), newer rows win, a
letter to the county governor (in their language) for a request and a reminder, an audit entry per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.assessments import AssessmentStore
from activities.record_store import RecordStore
from tests.activities.factories import county_assessment

AT = datetime(2031, 1, 6, 9, tzinfo=UTC)


async def test_assessments_are_idempotent_newer_rows_win_and_letters_go_to_the_county_governor(
    store: RecordStore, pool: asyncpg.Pool
) -> None:
    env = ActivityEnvironment()
    assessments = AssessmentStore(pool, store.settings)
    requested = county_assessment("requested", AT)
    reminded = county_assessment("reminded", AT + timedelta(days=14))
    answered = county_assessment(
        "answered", AT + timedelta(days=15), assessment="Needs help soon.", priority=1, by="sf.vestland"
    )

    for item in (requested, requested, reminded, answered, reminded):  # a retry and a late, older write
        await env.run(assessments.record_county_assessment, item)

    rows = await pool.fetch("SELECT state, assessment, priority, recorded_by, recorded_as FROM county_assessments")
    assert [tuple(r) for r in rows] == [("answered", "Needs help soon.", 1, "sf.vestland", "county_governor")]
    letters = await pool.fetch("SELECT kind, recipients, subject, body, language FROM outbox ORDER BY created_at")
    assert [(r["kind"], r["recipients"]) for r in letters] == [
        ("assessment_request", ["sf46@statsforvalteren.no"]),
        ("assessment_reminder", ["sf46@statsforvalteren.no"]),
    ]
    # Statsforvalteren i Vestland reads nynorsk (config/data/languages.csv).
    assert {r["language"] for r in letters} == {"nn"}
    assert letters[0]["subject"] == "Veilederkorpset: dykkar vurdering av Kvinnherad (4617), pulje 2031"
    assert "Plass på kortlista: 32" in letters[0]["body"]
    assert await pool.fetchval("SELECT count(*) FROM audit_log WHERE workflow_id = 'assessment-2031'") == 3


async def test_an_answer_without_its_priority_is_refused_as_invalid(store: RecordStore, pool: asyncpg.Pool) -> None:
    """The table holds an answered row whole (text and priority) or not at all: bad data is final, not retried."""
    broken = county_assessment("answered", AT, assessment="No priority given", by="sf.vestland")
    with pytest.raises(ApplicationError) as error:
        await ActivityEnvironment().run(AssessmentStore(pool, store.settings).record_county_assessment, broken)
    assert error.value.type == "InvalidRecord" and error.value.non_retryable
    assert await pool.fetchval("SELECT count(*) FROM county_assessments") == 0
