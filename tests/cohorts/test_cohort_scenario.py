"""A cohort of 20 real owners through its whole life on the time-skipping server, with the real record store.

Invitation through the county governor, acceptances, declines and owners that never answer; a network
of small owners meeting together; a withdrawal; national gatherings every half year, one of them
moved; every remaining period expiring at 30 months, and the cohort ending with its last period. What
it left behind is read back from PostgreSQL and the outbox folder, calendar files parsed.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from icalendar import Calendar
from temporalio.testing import WorkflowEnvironment

from activities.record_store import RecordStore
from activities.registry import all_activities
from config.owners import all_owners
from config.settings import VeilederkorpsetSettings
from domain import calendar
from domain.cohort import CohortInput, RespondToInvitation, ScheduleNetworkMeeting
from domain.contract import period_workflow_id
from domain.gatherings import MoveGathering, plan_gatherings
from domain.models import Withdraw
from starter.cohorts import start_cohort
from tests.helpers.waits import terminate_when_settled
from worker import build_worker
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow

PLAN = VeilederkorpsetSettings().plan()


def twenty_owners() -> list[dict[str, Any]]:
    """Every 18th owner of the registry (20 owners across the counties); two small ones form a network."""
    chosen = all_owners()[::18][:20]
    owners: list[dict[str, Any]] = [
        {"owner": o.model_dump(), "advisers": [f"adviser{i % 5}"]} for i, o in enumerate(chosen)
    ]
    for entry in owners[:2]:
        entry["network"] = "Kystnettverket"
        entry["advisers"] = ["adviser0"]
    owners[3]["kindergarten_transition"] = True
    return owners


def calendar_event(path: Path) -> tuple[str, int, date]:
    event = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    return str(event["UID"]), int(event.decoded("SEQUENCE")), event.decoded("DTSTART")


def calendar_files(folder: Path) -> dict[str, tuple[str, int, date]]:
    return {p.name: calendar_event(p) for p in sorted(folder.glob("*.ics"))}


async def test_a_cohort_of_twenty_owners_lives_through_invitations_gatherings_withdrawal_and_expiry(
    time_skipping_env: WorkflowEnvironment, store: RecordStore, pool: asyncpg.Pool
) -> None:
    env = time_skipping_env
    task_queue = f"test-{uuid.uuid4()}"
    today = calendar.local_date(await env.get_current_time(), PLAN.timezone)
    start = calendar.next_working_day(today + timedelta(weeks=8))
    name = f"s{uuid.uuid4().hex[:8]}"
    owners = twenty_owners()
    ids = [o["owner"]["id"] for o in owners]
    accepting, declining = ids[:14], ids[14:17]  # the last three never answer
    cohort = CohortInput.model_validate(
        {"cohort": name, "start_date": start.isoformat(), "owners": owners, "reply_days": 10, "no_reply_after_days": 5}
    )
    started = [f"cohort-{name}", *(period_workflow_id(name, i) for i in accepting)]

    async with build_worker(env.client, all_activities(store), task_queue=task_queue):
        try:
            handle = await start_cohort(env.client, cohort, task_queue=task_queue)
            for owner_id in accepting:
                await handle.execute_update(
                    CohortWorkflow.respond_to_invitation,
                    RespondToInvitation(owner_id=owner_id, answer="accept", by="Statsforvalteren"),
                )
            for owner_id in declining:
                await handle.execute_update(
                    CohortWorkflow.respond_to_invitation,
                    RespondToInvitation(owner_id=owner_id, answer="decline", by="Statsforvalteren"),
                )
            await env.sleep(timedelta(weeks=5))  # past the reply deadline and the reminder's working days
            status = await handle.query(CohortWorkflow.status)
            assert status.counts == {"invited": 0, "reminded": 0, "accepted": 14, "declined": 3, "no_reply": 3}
            assert status.periods_started == 14

            meeting_day = calendar.next_working_day(start + timedelta(weeks=3))
            await handle.execute_update(
                CohortWorkflow.schedule_network_meeting,
                ScheduleNetworkMeeting(network="Kystnettverket", date=meeting_day, adviser="adviser0"),
            )
            withdrawn = accepting[5]
            leaving = env.client.get_workflow_handle(period_workflow_id(name, withdrawn))
            await leaving.execute_update(
                GuidancePeriodWorkflow.withdraw, Withdraw(reason="municipal merger", by="owner")
            )

            gatherings = plan_gatherings(start, PLAN)
            second = gatherings[1]
            moved_to = calendar.next_working_day(second.date + timedelta(days=14))
            await env.sleep(timedelta(weeks=8))
            await handle.execute_update(
                CohortWorkflow.move_gathering, MoveGathering(gathering_id=second.gathering_id, date=moved_to, by="udir")
            )
            await env.sleep(timedelta(days=365 * 2))  # two years of gatherings
            halfway = await handle.query(CohortWorkflow.status)
            now = calendar.local_date(await env.get_current_time(), PLAN.timezone)
            assert [g.sent_sequence is not None for g in halfway.gatherings] == [
                g.invite_on <= now for g in halfway.gatherings
            ]
            assert sum(g.sent_sequence is not None for g in halfway.gatherings) >= 4

            final = await handle.result()  # the cohort ends with its last period, at 30 months
        finally:
            await terminate_when_settled(env.client, started)

    assert final.ended and final.periods_ended == 14
    assert final.phases == {"expired": 13, "withdrawn": 1}
    rows = await pool.fetch("SELECT state, count(*) FROM invitations WHERE cohort = $1 GROUP BY state", name)
    assert dict((r["state"], r["count"]) for r in rows) == {"accepted": 14, "declined": 3, "no_reply": 3}
    letters = await pool.fetch(
        "SELECT kind, count(*) FROM outbox WHERE workflow_id = $1 GROUP BY kind", f"cohort-{name}"
    )
    # An invitation letter to every owner, a reminder for the three that never answered, and one
    # gathering invitation per running period and gathering: the withdrawal came before the first
    # invitations went out, and the gathering was moved before its own went out (sent once, sequence 1).
    counts = {r["kind"]: r["count"] for r in letters}
    assert counts["invitation_letter"] == 20 and counts["invitation_reminder"] == 3
    assert counts["gathering_invitation"] == 13 * len(gatherings)
    ends = await pool.fetch(
        "SELECT outcome, count(*) FROM final_evaluations WHERE workflow_id LIKE $1 GROUP BY outcome",
        f"guidance-period-{name}-%",
    )
    assert {r["outcome"]: r["count"] for r in ends} == {"expired": 13, "withdrawn": 1}
    network = await pool.fetch(
        "SELECT workflow_id FROM meetings WHERE kind = 'network' AND workflow_id LIKE $1 ORDER BY 1",
        f"guidance-period-{name}-%",
    )
    assert [r["workflow_id"] for r in network] == sorted(period_workflow_id(name, i) for i in accepting[:2])

    files = calendar_files(store.settings.outbox_path / f"cohort-{name}")
    assert len(files) == 13 * len(gatherings)
    for gathering in gatherings:
        events = {v for k, v in files.items() if k.startswith(f"{gathering.gathering_id}-")}
        moved = gathering.gathering_id == second.gathering_id
        expected_day = moved_to if moved else gathering.date
        assert events == {(f"cohort-{name}.{gathering.gathering_id}@guidance-engine", int(moved), expected_day)}
        assert calendar.is_working_day(expected_day)
