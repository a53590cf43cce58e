"""The retention job: removes personal data from the record store a configurable time after a period ends.

What counts as personal data, and what takes its place (domain/retention.py says why):

| table | removed | kept |
|---|---|---|
| periods | advisers; who withdrew it and why (``end_reason`` becomes ``withdrawn``) | owner, phases, dates, goals |
| milestones | adviser, note | milestone, dates, development area, goals |
| phase_transitions | actor (``system`` stays) | phases, dates |
| meetings | adviser, title | kind, date, time, schools |
| competence_environments | adviser, note | environment, state, days of its steps |
| reminders | recipients (advisers' mail addresses) | kind, phase, message (names no person) |
| outbox | the letters and calendar invitations, deleted (names, addresses) | |
| owner_contacts | the owner's contact person of the period, deleted (name, address, phone, role) | |
| audit_log | actor (``system`` stays), details | what was done, when |
| final_evaluations | the reason of a withdrawal in the summary | counts, outcome |
| invitations | advisers, who answered | owner, state, dates |

plus the invitation's entries in the cohort's audit log, its letters to the county governor and its
invitations to national gatherings (letters and calendar files, which name the advisers), for an
invitation whose period ended before the cutoff, or that was declined or never answered before it; and
the period's folder of calendar files in the outbox folder.

The activity is idempotent: every statement changes only rows that still hold personal data, so a retry
or the next night's run changes nothing more, and each period gets one audit entry
(``retention:personal_data_removed``) the first time. Everything is one transaction.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

import asyncpg
from temporalio import activity

from activities.invitations import outbox_file
from activities.logging import activity_logger
from config.settings import AppSettings
from domain.retention import (
    REMOVAL_EVENT_KEY,
    REMOVE_EXPIRED_PERSONAL_DATA,
    REMOVED,
    RetentionReport,
    RetentionRun,
)

ENDED_BEFORE = "SELECT workflow_id FROM periods WHERE ended_at < $1 ORDER BY workflow_id"

# $1: workflow ids of periods ended before the cutoff; $2 (where used): REMOVED.
PERIOD_STATEMENTS: dict[str, str] = {
    "periods": """
        UPDATE periods SET advisers = '{}',
               end_reason = CASE WHEN phase = 'withdrawn' THEN 'withdrawn' ELSE end_reason END
        WHERE workflow_id = ANY($1::text[])
          AND (cardinality(advisers) > 0 OR (phase = 'withdrawn' AND end_reason IS DISTINCT FROM 'withdrawn'))""",
    "milestones": """
        UPDATE milestones SET adviser = $2, note = ''
        WHERE workflow_id = ANY($1::text[]) AND (adviser <> $2 OR note <> '')""",
    "phase_transitions": """
        UPDATE phase_transitions SET actor = $2
        WHERE workflow_id = ANY($1::text[]) AND actor NOT IN ('system', $2)""",
    "meetings": """
        UPDATE meetings SET adviser = $2, title = ''
        WHERE workflow_id = ANY($1::text[]) AND (adviser <> $2 OR title <> '')""",
    "competence_environments": """
        UPDATE competence_environments SET adviser = $2, note = ''
        WHERE workflow_id = ANY($1::text[]) AND (adviser <> $2 OR note <> '')""",
    "reminders": """
        UPDATE reminders SET recipients = '{}'
        WHERE workflow_id = ANY($1::text[]) AND cardinality(recipients) > 0""",
    "outbox": """
        DELETE FROM outbox WHERE workflow_id = ANY($1::text[])""",
    "owner_contacts": """
        DELETE FROM owner_contacts WHERE workflow_id = ANY($1::text[])""",
    "audit_log": f"""
        UPDATE audit_log SET actor = CASE WHEN actor = 'system' THEN actor ELSE $2 END, details = '{{}}'::jsonb
        WHERE workflow_id = ANY($1::text[]) AND event_key <> '{REMOVAL_EVENT_KEY}'
          AND (actor NOT IN ('system', $2) OR details <> '{{}}'::jsonb)""",
    "final_evaluations": """
        UPDATE final_evaluations f SET summary = p.owner_name || ' (' || p.owner_id || '): withdrawn'
        FROM periods p
        WHERE f.workflow_id = p.workflow_id AND f.workflow_id = ANY($1::text[]) AND f.outcome = 'withdrawn'
          AND f.summary <> p.owner_name || ' (' || p.owner_id || '): withdrawn'""",
}

MARK_REMOVED = f"""
INSERT INTO audit_log (workflow_id, event_key, at, actor, action, details)
SELECT id, '{REMOVAL_EVENT_KEY}', $2, 'system', 'personal data removed', jsonb_build_object('retention_days', $3::int)
FROM unnest($1::text[]) AS id
ON CONFLICT (workflow_id, event_key) DO NOTHING
RETURNING workflow_id
"""

# Invitations whose personal data goes: of a period that goes, or declined / never answered before the cutoff.
EXPIRED_INVITATIONS = """
SELECT cohort, owner_id, workflow_id FROM invitations
WHERE period_workflow_id = ANY($1::text[])
   OR (period_workflow_id IS NULL AND state IN ('declined', 'no_reply') AND updated_at < $2)
"""

# $1 cohorts, $2 owner ids, $3 cohort workflow ids (one element per invitation); $4 (where used): REMOVED.
INVITATION_STATEMENTS: dict[str, str] = {
    "invitations": """
        UPDATE invitations i SET advisers = '{}',
               answered_by = CASE WHEN i.answered_by IS NULL OR i.answered_by = 'system' THEN i.answered_by
                                  ELSE $4 END
        FROM unnest($1::text[], $2::text[], $3::text[]) AS x(cohort, owner_id, workflow_id)
        WHERE i.cohort = x.cohort AND i.owner_id = x.owner_id
          AND (cardinality(i.advisers) > 0 OR i.answered_by NOT IN ('system', $4))""",
    "audit_log": """
        UPDATE audit_log a SET actor = $4
        FROM unnest($1::text[], $2::text[], $3::text[]) AS x(cohort, owner_id, workflow_id)
        WHERE a.workflow_id = x.workflow_id AND a.details ->> 'owner_id' = x.owner_id
          AND a.actor NOT IN ('system', $4)""",
    "outbox": """
        DELETE FROM outbox o
        USING unnest($1::text[], $2::text[], $3::text[]) AS x(cohort, owner_id, workflow_id)
        WHERE o.workflow_id = x.workflow_id
          AND (o.message_key LIKE x.workflow_id || '/invitation/' || x.owner_id || '/%'
               OR o.message_key LIKE x.workflow_id || '/gathering/%/' || x.owner_id || '/%')""",
}


def _changed(status: str) -> int:
    """Rows an UPDATE or DELETE changed, from its status (``UPDATE 3``)."""
    return int(status.rsplit(" ", 1)[-1])


def _remove_gathering_files(folder: Path, owner_id: str) -> int:
    """The owner's calendar files of a cohort's national gatherings (``<gathering>-<owner>.ics``)."""
    files = list(folder.glob(f"*-{owner_id}.ics")) if folder.is_dir() else []
    for file in files:
        file.unlink()
    return len(files)


def _remove_folder(folder: Path) -> bool:
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


class RetentionJob:
    """The activity that removes expired personal data.

    Args:
        pool: The record store's connection pool.
        settings: ``retention_days`` and the outbox folder.
    """

    def __init__(self, pool: asyncpg.Pool, settings: AppSettings) -> None:
        self._pool = pool
        self._settings = settings

    @activity.defn(name=REMOVE_EXPIRED_PERSONAL_DATA)
    async def remove_expired_personal_data(self, run: RetentionRun) -> RetentionReport:
        """Remove the personal data of every period that ended more than the retention time before ``as_of``."""
        days = run.retention_days or self._settings.retention_days
        cutoff = run.as_of - timedelta(days=days)
        rows: dict[str, int] = {}
        async with self._pool.acquire() as connection, connection.transaction():
            ended = [row["workflow_id"] for row in await connection.fetch(ENDED_BEFORE, cutoff)]
            for table, statement in PERIOD_STATEMENTS.items():
                arguments: tuple[object, ...] = (ended, REMOVED) if "$2" in statement else (ended,)
                rows[table] = _changed(await connection.execute(statement, *arguments))
            marked = await connection.fetch(MARK_REMOVED, ended, run.as_of, days)
            invitations = await connection.fetch(EXPIRED_INVITATIONS, ended, cutoff)
            columns = (
                [row["cohort"] for row in invitations],
                [row["owner_id"] for row in invitations],
                [row["workflow_id"] for row in invitations],
            )
            changed_invitations = 0
            for table, statement in INVITATION_STATEMENTS.items():
                arguments = (*columns, REMOVED) if "$4" in statement else columns
                changed = _changed(await connection.execute(statement, *arguments))
                rows[table] = rows.get(table, 0) + changed
                if table == "invitations":
                    changed_invitations = changed
        folders = [outbox_file(self._settings.outbox_path, workflow_id, "-").parent for workflow_id in ended]
        removed_folders = await asyncio.to_thread(lambda: sum(_remove_folder(folder) for folder in folders))
        cohort_folders = [
            (outbox_file(self._settings.outbox_path, row["workflow_id"], "-").parent, row["owner_id"])
            for row in invitations
        ]
        removed_files = await asyncio.to_thread(
            lambda: sum(_remove_gathering_files(folder, owner) for folder, owner in cohort_folders)
        )
        report = RetentionReport(
            as_of=run.as_of,
            retention_days=days,
            cutoff=cutoff,
            periods=sorted(row["workflow_id"] for row in marked),
            invitations=changed_invitations,
            rows={table: count for table, count in rows.items() if count},
            files=removed_folders,
            gathering_files=removed_files,
        )
        activity_logger().info(
            "personal data removed" if report.periods or report.rows else "no personal data due for removal",
            cutoff=cutoff.isoformat(),
            periods=len(report.periods),
            rows=report.rows,
            folders=removed_folders,
        )
        return report
