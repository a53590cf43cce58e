"""The retention job removes personal data of periods that ended longer ago than the retention time, keeps
everything else, keeps newer and running periods whole, and changes nothing when it runs again.

Every row is written by the real record store's activities, as a period writes them, into real PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.national_gatherings import GatheringStore
from activities.record_store import RecordStore
from activities.retention import RetentionJob
from config.settings import AppSettings
from domain.records import InvitationEvent, InvitationRecord
from domain.retention import REMOVAL_EVENT_KEY, REMOVED, RetentionReport, RetentionRun
from tests.activities import factories
from tests.activities.retention_rows import PERSONAL, WITHDRAWN_BY, names_a_person, rows_of, write_period
from tests.activities.store_rows import table_rows

AS_OF = datetime(2026, 6, 1, 2, 30, tzinfo=UTC)


async def run_job(pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment) -> RetentionReport:
    report: RetentionReport = await env.run(
        RetentionJob(pool, settings).remove_expired_personal_data, RetentionRun(as_of=AS_OF)
    )
    return report


async def test_a_period_ended_longer_ago_than_the_limit_loses_its_personal_data_and_keeps_its_facts(
    store: RecordStore, pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment
) -> None:
    old = await write_period(env, store, "3301", date(2023, 1, 2), datetime(2024, 3, 1, 12, tzinfo=UTC))
    before = await rows_of(pool, old.workflow_id)
    assert names_a_person(before) == list(PERSONAL)  # the records did name them
    assert old.outbox_folder.is_dir()

    report = await run_job(pool, settings, env)

    after = await rows_of(pool, old.workflow_id)
    assert names_a_person(after) == []
    assert report.periods == [old.workflow_id]
    assert report.cutoff == AS_OF - timedelta(days=365)
    assert report.files == 1
    assert not old.outbox_folder.exists()
    # What is not personal stays: the owner, phases, dates, milestones and counts.
    (period,) = after["periods"]
    assert (period["owner_id"], period["owner_name"], period["phase"]) == ("3301", "Owner 3301", "withdrawn")
    assert period["end_reason"] == "withdrawn"
    assert period["advisers"] == []
    assert period["schools"] == ["Fjell skole"]
    (milestone,) = after["milestones"]
    assert (milestone["milestone"], milestone["adviser"], milestone["note"]) == ("mapping_done", REMOVED, "")
    assert milestone["recorded_at"] == before["milestones"][0]["recorded_at"]
    (meeting,) = after["meetings"]
    assert (meeting["kind"], meeting["adviser"], meeting["title"]) == ("follow_up", REMOVED, "")
    assert meeting["meeting_date"] == before["meetings"][0]["meeting_date"]
    (reminder,) = after["reminders"]
    assert reminder["recipients"] == []
    assert reminder["message"] == before["reminders"][0]["message"]
    assert after["outbox"] == []
    assert [t["actor"] for t in after["phase_transitions"]] == [REMOVED, REMOVED]
    (evaluation,) = after["final_evaluations"]
    assert evaluation["summary"] == "Owner 3301 (3301): withdrawn"
    assert (evaluation["milestone_count"], evaluation["meeting_count"], evaluation["reminder_count"]) == (1, 1, 1)
    audit = {entry["event_key"]: entry for entry in after["audit_log"]}
    assert audit["update:withdraw-1"]["action"] == "withdrawn"
    assert audit["update:withdraw-1"]["actor"] == REMOVED
    assert audit["update:withdraw-1"]["details"] == {}
    assert audit["started"]["actor"] == "system"
    removal = audit[REMOVAL_EVENT_KEY]
    assert (removal["at"], removal["actor"], removal["details"]) == (AS_OF, "system", {"retention_days": 365})


async def test_newer_and_running_periods_keep_their_personal_data(
    store: RecordStore, pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment
) -> None:
    old = await write_period(env, store, "3301", date(2023, 1, 2), datetime(2024, 3, 1, 12, tzinfo=UTC))
    recent = await write_period(env, store, "4601", date(2024, 1, 8), AS_OF - timedelta(days=364))
    running = await write_period(env, store, "5001", date(2023, 1, 2), None)
    kept_before = {wid: await rows_of(pool, wid) for wid in (recent.workflow_id, running.workflow_id)}

    report = await run_job(pool, settings, env)

    assert report.periods == [old.workflow_id]
    for workflow_id, rows in kept_before.items():
        assert await rows_of(pool, workflow_id) == rows
        assert {"a.hansen", "b.olsen", "Kari Nordmann", "@veileder.test"} <= set(names_a_person(rows))
    assert recent.outbox_folder.is_dir()
    assert running.outbox_folder.is_dir()


async def test_the_job_is_idempotent_and_the_limit_is_a_setting(
    store: RecordStore, pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment
) -> None:
    await write_period(env, store, "3301", date(2023, 1, 2), datetime(2024, 3, 1, 12, tzinfo=UTC))
    recent = await write_period(env, store, "4601", date(2024, 1, 8), AS_OF - timedelta(days=100))
    first = await run_job(pool, settings, env)
    stored = await table_rows(pool)

    again = await run_job(pool, settings, env)

    assert len(first.periods) == 1
    assert (again.periods, again.rows, again.invitations, again.files) == ([], {}, 0, 0)
    assert await table_rows(pool) == stored

    # A shorter limit (GUIDANCE_RETENTION_DAYS=90) reaches the period that ended 100 days ago too.
    shorter = settings.model_copy(update={"retention_days": 90})
    report: RetentionReport = await env.run(
        RetentionJob(pool, shorter).remove_expired_personal_data, RetentionRun(as_of=AS_OF)
    )
    assert report.periods == [recent.workflow_id]
    assert report.retention_days == 90
    assert names_a_person(await rows_of(pool, recent.workflow_id)) == []


async def test_invitations_answered_or_unanswered_long_ago_lose_who_answered_and_the_advisers(
    store: RecordStore, pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment
) -> None:
    def invitation(
        cohort: str, owner: str, event: InvitationEvent, state: str, at: datetime, by: str = "system"
    ) -> InvitationRecord:
        record = factories.invitation(event, state, at, by)
        return record.model_copy(
            update={
                "workflow_id": f"cohort-{cohort}",
                "cohort": cohort,
                "owner_id": owner,
                "audit": record.audit.model_copy(
                    # As CohortWorkflow writes it: the owner in the details.
                    update={
                        "workflow_id": f"cohort-{cohort}",
                        "event_key": f"update:{owner}:{event}",
                        "details": {"owner_id": owner},
                    }
                ),
            }
        )

    long_ago, lately = datetime(2024, 1, 10, tzinfo=UTC), AS_OF - timedelta(days=30)
    for cohort, owner, at in (("2024", "4617", long_ago), ("2026", "4618", lately)):
        await env.run(store.record_invitation, invitation(cohort, owner, "invited", "invited", at))
        await env.run(
            store.record_invitation,
            invitation(cohort, owner, "declined", "declined", at + timedelta(days=5), WITHDRAWN_BY),
        )

    report = await run_job(pool, settings, env)

    assert report.invitations == 1
    old = await pool.fetchrow("SELECT * FROM invitations WHERE owner_id = '4617'")
    new = await pool.fetchrow("SELECT * FROM invitations WHERE owner_id = '4618'")
    assert old is not None and new is not None
    assert (old["advisers"], old["answered_by"], old["state"]) == ([], REMOVED, "declined")
    assert (new["advisers"], new["answered_by"]) == (["d.lie"], WITHDRAWN_BY)
    letters = await pool.fetch("SELECT workflow_id FROM outbox ORDER BY 1")
    assert [letter["workflow_id"] for letter in letters] == ["cohort-2026"]
    actors = await pool.fetch("SELECT workflow_id, actor FROM audit_log WHERE actor <> 'system' ORDER BY 1")
    assert [(a["workflow_id"], a["actor"]) for a in actors] == [("cohort-2024", REMOVED), ("cohort-2026", WITHDRAWN_BY)]


def exists(paths: list[str]) -> list[bool]:
    return [Path(p).exists() for p in paths]


async def test_an_owners_gathering_invitations_go_with_its_period(
    store: RecordStore, pool: asyncpg.Pool, settings: AppSettings, env: ActivityEnvironment
) -> None:
    """The cohort's letters and calendar files for a national gathering name the advisers: they go too."""
    ended = datetime(2024, 3, 1, 12, tzinfo=UTC)
    old = await write_period(env, store, "4617", date(2023, 1, 2), ended)
    accepted = factories.invitation("accepted", "accepted", ended - timedelta(days=400), "SF Vestland")
    await env.run(
        store.record_invitation,
        accepted.model_copy(
            update={
                "cohort": "2023",
                "workflow_id": "cohort-2023",
                "period_workflow_id": old.workflow_id,
                "audit": accepted.audit.model_copy(update={"workflow_id": "cohort-2023"}),
            }
        ),
    )
    gathering = factories.national_gathering(ended - timedelta(days=300))
    gathering = gathering.model_copy(
        update={
            "cohort": "2023",
            "workflow_id": "cohort-2023",
            "audit": gathering.audit.model_copy(update={"workflow_id": "cohort-2023"}),
        }
    )
    files = await env.run(GatheringStore(pool, settings).record_national_gathering, gathering)

    report = await run_job(pool, settings, env)

    assert report.gathering_files == 1
    assert exists(files) == [False, True]  # 4617's file went, 4615's (its period still running) stays
    letters = await pool.fetch("SELECT message_key FROM outbox WHERE kind = 'gathering_invitation' ORDER BY 1")
    assert [r["message_key"] for r in letters] == ["cohort-2023/gathering/start/4615/0"]
