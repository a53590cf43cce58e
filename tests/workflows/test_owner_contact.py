"""OwnerContactWorkflow on the time-skipping server with the real activities on real PostgreSQL: a change is stamped
with the workflow's time and written with its audit entry, and its history replays; the id is free again for the
next change; a period the record store does not know is refused as such, at once."""

from __future__ import annotations

import uuid

import pytest
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Replayer

from activities.record_store import RecordStore
from activities.registry import all_activities
from domain.contacts import ContactPerson, OwnerContactChange
from starter.client import PeriodNotFound
from starter.connect import data_converter
from starter.contacts import change_contact
from tests.activities import factories
from tests.activities.factories import WORKFLOW_ID
from worker import build_worker
from workflows.owner_contact import OwnerContactWorkflow
from workflows.sandbox import workflow_runner

KARI = ContactPerson(name="Kari Nordmann", email="kari.nordmann@drammen.test", phone="+47 32 04 70 00")


async def test_changes_of_a_contact_are_stamped_by_the_workflow_and_written_in_turn(
    time_skipping_env: WorkflowEnvironment, store: RecordStore
) -> None:
    await ActivityEnvironment().run(store.record_period_started, factories.period_started(factories.new_period()))
    client, queue = time_skipping_env.client, f"contact-{uuid.uuid4()}"

    async with build_worker(client, all_activities(store), task_queue=queue):
        before = await time_skipping_env.get_current_time()
        first = await change_contact(
            client, OwnerContactChange(period_workflow_id=WORKFLOW_ID, contact=KARI, by="a.hansen"), task_queue=queue
        )
        kept = await store.pool.fetchrow("SELECT name, phone, set_by, set_at FROM owner_contacts")
        # The same workflow id again, now that the first change is written: the contact is cleared.
        cleared = await change_contact(
            client, OwnerContactChange(period_workflow_id=WORKFLOW_ID, by="coordinator"), task_queue=queue
        )
        history = await client.get_workflow_handle(f"contact-{WORKFLOW_ID}").fetch_history()
    # The run replays on the workflow's code in the sandbox: it is deterministic.
    replayer = Replayer(
        workflows=[OwnerContactWorkflow], data_converter=data_converter(), workflow_runner=workflow_runner()
    )
    assert (await replayer.replay_workflow(history, raise_on_replay_failure=False)).replay_failure is None

    assert before <= first.at <= cleared.at
    assert kept is not None and dict(kept) == {
        "name": "Kari Nordmann",
        "phone": "+47 32 04 70 00",
        "set_by": "a.hansen",
        "set_at": first.at,
    }
    assert await store.pool.fetchval("SELECT count(*) FROM owner_contacts") == 0
    actions = await store.pool.fetch(
        "SELECT actor, action FROM audit_log WHERE workflow_id = $1 AND event_key LIKE 'contact:%' ORDER BY at",
        WORKFLOW_ID,
    )
    assert [(r["actor"], r["action"]) for r in actions] == [
        ("a.hansen", "owner's contact person set"),
        ("coordinator", "owner's contact person cleared"),
    ]


async def test_a_contact_for_an_unknown_period_is_refused_as_no_such_period(
    time_skipping_env: WorkflowEnvironment, store: RecordStore
) -> None:
    client, queue = time_skipping_env.client, f"contact-{uuid.uuid4()}"
    change = OwnerContactChange(period_workflow_id="guidance-period-2027-9999", contact=KARI, by="a.hansen")

    async with build_worker(client, all_activities(store), task_queue=queue):
        with pytest.raises(PeriodNotFound, match="guidance-period-2027-9999"):
            await change_contact(client, change, task_queue=queue)

    assert await store.pool.fetchval("SELECT count(*) FROM owner_contacts") == 0
