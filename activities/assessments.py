"""The activity a county governor's assessment is kept with: its `county_assessments` row, its letter, its audit entry.

A request and its reminder each send a letter to the county governor of the owner's county, in the county
governor's language (`activities.recipients`). Idempotent as the other records: the row is upserted only by a
newer one, the letter and the audit entry are keyed by the event (``ON CONFLICT DO NOTHING``), so a retried write
changes nothing. Built from the record alone, never from the clock, so a retry writes the same letter.
"""

from __future__ import annotations

import asyncpg
from temporalio import activity

from activities.logging import activity_logger
from activities.recipients import letter_to_county_governor
from activities.record_store import (
    _bad_data_is_final,
    _check_one_period,
    _insert_audit,
    _queue_county_governor_letter,
)
from config.settings import AppSettings
from domain.assessment import AssessmentRecord
from domain.contract import Activities
from language import Language, formats
from language.current import gettext, using

UPSERT_ASSESSMENT = """
INSERT INTO county_assessments (cohort, owner_id, workflow_id, owner_name, county, rank, state, requested_by,
                                reply_by, assessment, priority, recorded_by, recorded_as, indicator_file, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (cohort, owner_id) DO UPDATE SET
    workflow_id = EXCLUDED.workflow_id, owner_name = EXCLUDED.owner_name, county = EXCLUDED.county,
    rank = EXCLUDED.rank, state = EXCLUDED.state, requested_by = EXCLUDED.requested_by,
    reply_by = EXCLUDED.reply_by, assessment = EXCLUDED.assessment, priority = EXCLUDED.priority,
    recorded_by = EXCLUDED.recorded_by, recorded_as = EXCLUDED.recorded_as,
    indicator_file = EXCLUDED.indicator_file, updated_at = EXCLUDED.updated_at
WHERE county_assessments.updated_at <= EXCLUDED.updated_at
"""


def assessment_letter(record: AssessmentRecord, language: Language) -> tuple[str, str, str] | None:
    """The outbox kind, subject and body of the letter an assessment event sends, if it sends one, in `language`."""
    if record.event not in ("requested", "reminded"):
        return None
    with using(language):
        values = {
            "owner": f"{record.owner_name} ({record.owner_id})",
            "cohort": record.cohort,
            "reply_by": formats.long_day(record.reply_by),
            "rank": record.rank,
        }
        facts = [
            gettext("Cohort: %(cohort)s") % values,
            gettext("Place on the shortlist: %(rank)s (chosen for the spread between its schools)") % values,
            gettext("Answer by: %(reply_by)s") % values,
        ]
        if record.event == "requested":
            kind = "assessment_request"
            subject = gettext("Veilederkorpset: your assessment of %(owner)s, cohort %(cohort)s") % values
            lead = (
                gettext(
                    "The follow-up scheme may choose %(owner)s for the large spread between its schools. Before the "
                    "Directorate decides, please give your assessment of the school owner and its priority among "
                    "your county's school owners on the list (1 is the first) by %(reply_by)s."
                )
                % values
            )
        else:
            kind = "assessment_reminder"
            subject = gettext("Reminder: your assessment of %(owner)s, cohort %(cohort)s") % values
            lead = (
                gettext(
                    "We have not had your assessment of %(owner)s yet. Without one by %(reply_by)s the Directorate "
                    "decides without it."
                )
                % values
            )
    return kind, subject, lead + "\n\n" + "\n".join(facts) + "\n"


class AssessmentStore:
    """The `record_county_assessment` activity."""

    def __init__(self, pool: asyncpg.Pool, settings: AppSettings) -> None:
        self._pool = pool
        self._settings = settings

    @activity.defn(name=Activities.RECORD_COUNTY_ASSESSMENT)
    async def record_county_assessment(self, record: AssessmentRecord) -> None:
        """Store the owner's assessment row; a request or reminder also queues a letter to the county governor."""
        language = letter_to_county_governor(record.county)
        letter = assessment_letter(record, language)
        with _bad_data_is_final("county assessment"):
            _check_one_period(record.workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                await connection.execute(
                    UPSERT_ASSESSMENT,
                    record.cohort,
                    record.owner_id,
                    record.workflow_id,
                    record.owner_name,
                    record.county,
                    record.rank,
                    record.state,
                    record.requested_by,
                    record.reply_by,
                    record.assessment,
                    record.priority,
                    record.recorded_by,
                    record.recorded_as,
                    record.indicator_file,
                    record.updated_at,
                )
                if letter is not None:
                    await _queue_county_governor_letter(
                        connection,
                        self._settings,
                        f"{record.workflow_id}/assessment/{record.owner_id}/{record.event}",
                        record.workflow_id,
                        record.county,
                        letter,
                        record.updated_at,
                        language,
                    )
                await _insert_audit(connection, record.audit)
        activity_logger().info(
            "county assessment recorded", cohort=record.cohort, owner=record.owner_id, change=record.event
        )
