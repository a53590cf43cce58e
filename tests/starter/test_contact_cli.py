"""`guidance contact set|show|clear` against the time-skipping server, a worker of the real workflows and activities,
and the record store on real PostgreSQL: what is set is shown with who set it; cleared, the people file's default is
shown as such; a bad address is refused naming its option, in the command's language."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from typer.testing import CliRunner, Result

from activities.record_store import RecordStore
from activities.registry import all_activities
from starter import cli, commands
from starter.connect import data_converter
from tests.activities import factories
from tests.activities.factories import WORKFLOW_ID
from worker import build_worker

PEOPLE = '[[owners]]\nowner_id = "3301"\nname = "Fil Kontakt"\naddress = "fil.kontakt@drammen.test"\n'


@pytest.fixture
def on_test_server(time_skipping_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch) -> None:
    target, namespace = time_skipping_env.client.service_client.config.target_host, time_skipping_env.client.namespace

    async def connect_to_test_server() -> Client:
        return await Client.connect(target, namespace=namespace, data_converter=data_converter())

    monkeypatch.setattr(commands, "client_factory", connect_to_test_server)


async def guidance(*args: str, env: Mapping[str, str]) -> Result:
    # In a thread: the command runs its own event loop and client, as in its own process.
    return await asyncio.to_thread(CliRunner().invoke, cli.app, list(args), env=env)


@pytest.mark.usefixtures("on_test_server")
async def test_a_contact_set_shown_and_cleared_with_the_command(
    time_skipping_env: WorkflowEnvironment, store: RecordStore, database_url: str, tmp_path: Path
) -> None:
    await ActivityEnvironment().run(store.record_period_started, factories.period_started(factories.new_period()))
    people = tmp_path / "people.toml"
    people.write_text(PEOPLE, encoding="utf-8")
    env = {"DATABASE_URL": database_url, "GUIDANCE_PEOPLE_FILE": str(people)}
    queue = f"contact-cli-{uuid.uuid4()}"
    period = ("--workflow-id", WORKFLOW_ID)

    async with build_worker(time_skipping_env.client, all_activities(store), task_queue=queue):
        person = ("--name", "Kari Nordmann", "--email", "kari@drammen.test", "--phone", "+47 32 04 70 00")
        set_ = await guidance("contact", "set", *period, *person, "--by", "a.hansen", "--task-queue", queue, env=env)
        shown = await guidance("contact", "show", *period, env=env)
        as_json = await guidance("contact", "show", *period, "--json", env=env)
        clear = await guidance("contact", "clear", *period, "--by", "coordinator", "--task-queue", queue, env=env)
        default = await guidance("contact", "show", *period, env=env)
        bad = await guidance(
            "contact", "set", *period, "--name", "K", "--email", "kari-at-drammen", "--by", "a.hansen", env=env
        )

    assert set_.exit_code == 0, set_.output
    assert f"The contact person of {WORKFLOW_ID} is Kari Nordmann <kari@drammen.test>." in set_.output
    assert shown.exit_code == 0 and "Kari Nordmann <kari@drammen.test>, +47 32 04 70 00" in shown.output
    assert "Set by a.hansen on" in shown.output
    answer = json.loads(as_json.output)
    assert (answer["source"], answer["set_by"], answer["contact"]["email"]) == (
        "period",
        "a.hansen",
        "kari@drammen.test",
    )
    assert clear.exit_code == 0 and f"Cleared the contact person of {WORKFLOW_ID}." in clear.output
    assert "Fil Kontakt <fil.kontakt@drammen.test>" in default.output
    assert "From the people file (the default for 3301)" in default.output
    assert bad.exit_code == 1 and "--email" in bad.output and "is not a mail address" in bad.output
    assert await store.pool.fetchval("SELECT count(*) FROM owner_contacts") == 0
