"""The activity a cohort writes its national gatherings with: rows, one calendar file per owner, outbox.

Idempotent like every record-store activity: the gathering row and each guest row are upserted only
when the incoming sequence is at least the stored one, and outbox messages are keyed by gathering,
owner and sequence, so a retry writes the same rows and files again and a late older sequence
changes nothing.
"""

from __future__ import annotations

import asyncio

import asyncpg
from temporalio import activity

from activities.invitations import (
    gathering_file,
    gathering_invitation,
    gathering_message,
    write_outbox_file,
)
from activities.logging import activity_logger
from activities.recipients import owner_message, stored_contact
from activities.record_store import _bad_data_is_final, _check_one_period, _insert_audit, _insert_outbox
from config.people import People, load_people
from config.settings import AppSettings
from domain.contract import Activities
from domain.records import NationalGatheringRecord

UPSERT_NATIONAL_GATHERING = """
INSERT INTO national_gatherings (cohort, gathering_id, workflow_id, title, gathering_date, place, sequence, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (cohort, gathering_id) DO UPDATE SET
    title = EXCLUDED.title, gathering_date = EXCLUDED.gathering_date, place = EXCLUDED.place,
    sequence = EXCLUDED.sequence, updated_at = EXCLUDED.updated_at, workflow_id = EXCLUDED.workflow_id
WHERE national_gatherings.sequence <= EXCLUDED.sequence
RETURNING sequence
"""

UPSERT_GUEST = """
INSERT INTO gathering_guests (cohort, gathering_id, owner_id, period_workflow_id, sequence, calendar_file, invited_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (cohort, gathering_id, owner_id) DO UPDATE SET
    sequence = EXCLUDED.sequence, calendar_file = EXCLUDED.calendar_file, invited_at = EXCLUDED.invited_at,
    period_workflow_id = EXCLUDED.period_workflow_id
WHERE gathering_guests.sequence <= EXCLUDED.sequence
RETURNING sequence
"""


class GatheringStore:
    """Writes a cohort's national gatherings (`Activities.RECORD_NATIONAL_GATHERING`)."""

    def __init__(self, pool: asyncpg.Pool, settings: AppSettings, people: People | None = None) -> None:
        self._pool = pool
        self._settings = settings
        self._people = people if people is not None else load_people(settings.people_file, settings.adviser_mail_domain)

    @activity.defn(name=Activities.RECORD_NATIONAL_GATHERING)
    async def record_national_gathering(self, record: NationalGatheringRecord) -> list[str]:
        """Store the gathering and invite each guest: a calendar file and an outbox message per owner.

        Returns:
            The calendar files written (one per guest whose invitation is current).
        """
        settings = self._settings
        written: list[str] = []
        with _bad_data_is_final("national gathering"):
            _check_one_period(record.workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                current = await connection.fetchval(
                    UPSERT_NATIONAL_GATHERING,
                    record.cohort,
                    record.gathering_id,
                    record.workflow_id,
                    record.title,
                    record.date,
                    record.place,
                    record.sequence,
                    record.audit.at,
                )
                for guest in record.guests if current is not None else []:
                    path = gathering_file(settings.outbox_path, record.workflow_id, record.gathering_id, guest.owner_id)
                    # The period's owner contact (config/people.py's rule), else the owner's address by the setting's.
                    kept = await stored_contact(connection, guest.period_workflow_id)
                    contact = self._people.owner_contact(guest.owner_id, kept)
                    recipients = [
                        contact.email if contact else settings.owner_address.format(owner_id=guest.owner_id),
                        *(self._people.adviser_address(a) for a in guest.advisers),
                    ]
                    language = owner_message(guest.owner_id)
                    invitation = gathering_invitation(
                        record, guest, settings.directorate_address, recipients, language=language
                    )
                    stored = await connection.fetchval(
                        UPSERT_GUEST,
                        record.cohort,
                        record.gathering_id,
                        guest.owner_id,
                        guest.period_workflow_id,
                        record.sequence,
                        str(path.resolve()),
                        record.audit.at,
                    )
                    if stored is None:
                        continue  # this owner already holds a newer sequence
                    message = gathering_message(record, guest, invitation, recipients, language=language)
                    await _insert_outbox(connection, message)
                    # Written while the guest row is locked, so two sequences cannot leave the older file.
                    await asyncio.to_thread(write_outbox_file, path, invitation)
                    written.append(str(path.resolve()))
                await _insert_audit(connection, record.audit)
        activity_logger().info(
            "national gathering recorded",
            cohort=record.cohort,
            gathering_id=record.gathering_id,
            sequence=record.sequence,
            guests=len(record.guests),
            files=len(written),
        )
        return written
