"""The owner's contact person of a period in the record store: the activity that writes a change of it (the letters
and invitations read it with `activities.recipients.stored_contact`; config/people.py decides between it and the
people file).

Idempotent: a set is an upsert that only a change at least as new replaces, a clear deletes only what is not newer,
and the audit entry is keyed by the workflow run, so a retry changes nothing more.
"""

from __future__ import annotations

import asyncpg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.logging import activity_logger
from activities.record_store import _bad_data_is_final, _check_one_period, _insert_audit
from domain.contacts import OwnerContactRecord
from domain.contract import UNKNOWN_PERIOD, Activities

PERIOD_EXISTS = "SELECT EXISTS (SELECT 1 FROM periods WHERE workflow_id = $1)"

UPSERT_CONTACT = """
INSERT INTO owner_contacts (workflow_id, name, email, phone, role, set_by, set_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workflow_id) DO UPDATE SET
    name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone, role = EXCLUDED.role,
    set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
WHERE owner_contacts.set_at <= EXCLUDED.set_at
"""

DELETE_CONTACT = "DELETE FROM owner_contacts WHERE workflow_id = $1 AND set_at <= $2"


class ContactStore:
    """Writes the changes of periods' owner contacts (`Activities.RECORD_OWNER_CONTACT`)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name=Activities.RECORD_OWNER_CONTACT)
    async def record_owner_contact(self, record: OwnerContactRecord) -> None:
        """Set or clear the period's contact and write the period's audit entry of the change.

        Raises:
            ApplicationError: ``UnknownPeriod`` (not retried) when the record store knows no such period, and
                ``InvalidRecord`` for data it refuses.
        """
        change, contact = record.change, record.change.contact
        workflow_id = change.period_workflow_id
        with _bad_data_is_final("owner contact"):
            _check_one_period(workflow_id, record.audit)
            async with self._pool.acquire() as connection, connection.transaction():
                if not await connection.fetchval(PERIOD_EXISTS, workflow_id):
                    raise ApplicationError(
                        f"no period {workflow_id!r} in the record store", type=UNKNOWN_PERIOD, non_retryable=True
                    )
                if contact is None:
                    await connection.execute(DELETE_CONTACT, workflow_id, record.at)
                else:
                    await connection.execute(
                        UPSERT_CONTACT,
                        workflow_id,
                        contact.name,
                        contact.email,
                        contact.phone,
                        contact.role,
                        change.by,
                        record.at,
                    )
                await _insert_audit(connection, record.audit)
        activity_logger().info("owner contact set" if contact else "owner contact cleared", period=workflow_id)
