"""Personal data stays out of Temporal's history: what the dev server stores is ciphertext, while the
`guidance` command, given the key, shows the names.

The period's adviser is an opaque id (``adv-0042``): search attributes are indexed in clear text, so
they carry ids only. The adviser's name and e-mail address travel where people write them, in a
meeting's title and a milestone's note, and so in payloads the codec encrypts.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from aiohttp import web
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, SearchAttributes
from temporalio.api.history.v1 import History
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter

from devstack.binaries import temporal_cli
from devstack.temporal_server import DevServer
from domain import calendar
from domain.contract import period_workflow_id
from domain.models import PeriodInput, RecordMilestone
from domain.phases import Milestone
from starter import client as api
from starter.codec import ENCODING, KEY_ID_METADATA, AesGcmCodec, protected_data_converter
from starter.codec_server import build_app
from starter.converter import DATA_CONVERTER
from tests.codec.keys import NEW, entry
from tests.devstack.stack_process import clean_environment
from tests.helpers.clock import plain_saturday, real_today
from tests.helpers.fakes import RecordingActivities
from tests.helpers.waits import terminate_when_settled, wait_until_settled
from worker import build_worker

GUIDANCE = str(Path(sys.executable).parent / "guidance")
ADVISER = "adv-0042"
NAME = "Kari Nordmann"
ADDRESS = "kari.nordmann@drammen.kommune.no"
PATCH_MARKER = "marker_recorded_event_attributes.details[patch-data].payloads[0]"


def cli_environment(server: DevServer, **settings: str) -> dict[str, str]:
    """The environment of a person's shell pointed at the test's server, with only the given codec settings."""
    env = {k: v for k, v in clean_environment().items() if not k.startswith("GUIDANCE_CODEC_")}
    # COLUMNS: the status table is as wide as a terminal; rich would wrap it at 80 columns in a pipe.
    return {**env, "TEMPORAL_ADDRESS": server.address, "COLUMNS": "250", **settings}


async def guidance(env: dict[str, str], cwd: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """The `guidance` command as a person runs it (in a folder without a .env file)."""
    done = await asyncio.to_thread(
        subprocess.run, [GUIDANCE, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )
    if ok:
        assert done.returncode == 0, f"guidance {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def raw_bytes(history: WorkflowHistory) -> bytes:
    """The history as the server sends (and stores) it: protobuf bytes, payload data as it is."""
    return History(events=history.events).SerializeToString()


def payloads(message: Message, path: str = "", in_attributes: bool = False) -> Iterator[tuple[str, Payload, bool]]:
    """Every payload anywhere in `message`: where it is, and whether it is a search attribute's value."""
    for field, value in message.ListFields():
        kind = field.message_type
        if kind is None:  # a scalar field
            continue
        if kind.GetOptions().map_entry:
            value_field = kind.fields_by_name["value"]
            children = list(value.items()) if value_field.type == FieldDescriptor.TYPE_MESSAGE else []
        elif field.is_repeated:
            children = list(enumerate(value))
        else:
            children = [("", value)]
        for key, child in children:
            where = f"{path}.{field.name}" + (f"[{key}]" if key != "" else "")
            if isinstance(child, Payload):
                yield where, child, in_attributes
            else:
                yield from payloads(child, where, in_attributes or isinstance(child, SearchAttributes))


def dates() -> tuple[date, date, date]:
    """The period's start, a meeting day a week on, and a Saturday after it (no meeting falls on one)."""
    start = real_today()  # started, so that a milestone may be recorded at once
    meeting = calendar.next_working_day(start + timedelta(days=7))
    return start, meeting, plain_saturday(meeting)


async def drive_period(env: dict[str, str], cwd: Path, cohort: str, task_queue: str) -> str:
    """Start a period with the opaque adviser id, agree a meeting and record a milestone naming the adviser."""
    start, meeting, _ = dates()
    at = ["--cohort", cohort, "--owner", "3301"]
    await guidance(
        env, cwd, "start", *at, "--adviser", ADVISER, "--start-date", start.isoformat(), "--task-queue", task_queue
    )
    await guidance(
        env, cwd, "meeting", *at, "--kind", "kickoff", "--date", meeting.isoformat(), "--adviser", ADVISER,
        "--title", f"Kick-off with {NAME}",
    )  # fmt: skip
    await guidance(
        env, cwd, "milestone", *at, "mapping_done", "--adviser", ADVISER, "--note", f"Agreed with {NAME} <{ADDRESS}>"
    )
    return period_workflow_id(cohort, "3301")


async def test_the_history_holds_no_name_in_clear_text_while_guidance_status_shows_it(
    dev_server: DevServer, tmp_path: Path
) -> None:
    keyed: DataConverter = protected_data_converter([NEW])
    client = await Client.connect(dev_server.address, data_converter=keyed)
    task_queue = f"codec-{uuid.uuid4()}"
    with_key = cli_environment(dev_server, GUIDANCE_CODEC_KEYS=entry(NEW))
    without_key = cli_environment(dev_server)
    cohort, plain_cohort = f"c{uuid.uuid4().hex[:8]}", f"p{uuid.uuid4().hex[:8]}"
    _, _, saturday = dates()
    started: list[str] = []

    async with build_worker(client, RecordingActivities().all(), task_queue=task_queue):
        try:
            started.append(await drive_period(with_key, tmp_path, cohort, task_queue))
            rejected = await guidance(
                with_key, tmp_path, "meeting", "--cohort", cohort, "--owner", "3301", "--kind", "follow_up",
                "--date", saturday.isoformat(), "--adviser", ADVISER, ok=False,
            )  # fmt: skip
            status = await guidance(with_key, tmp_path, "status", "--cohort", cohort, "--owner", "3301")
            # The control: a client without the key writes the note in clear text (so the check below can
            # see a name), and cannot read the encrypted answer.
            at_plain = ["--cohort", plain_cohort, "--owner", "3301"]
            start = dates()[0].isoformat()
            await guidance(
                without_key, tmp_path, "start", *at_plain, "--adviser", ADVISER, "--start-date", start,
                "--task-queue", task_queue,
            )  # fmt: skip
            started.append(period_workflow_id(plain_cohort, "3301"))
            unreadable = await guidance(
                without_key, tmp_path, "milestone", *at_plain, "mapping_done", "--adviser", ADVISER,
                "--note", f"Agreed with {NAME}", ok=False,
            )  # fmt: skip
            for workflow_id in started:
                await wait_until_settled(client, workflow_id)
            history = await client.get_workflow_handle(started[0]).fetch_history()
            plain_history = await client.get_workflow_handle(started[1]).fetch_history()
        finally:
            await terminate_when_settled(client, started)

    # Those with the key read the names, and a rejection in full (failure messages are encrypted too).
    assert NAME in status.stdout and ADDRESS in status.stdout, status.stdout
    assert rejected.returncode == 1
    assert "rejected: date:" in rejected.stderr, rejected.stderr
    assert unreadable.returncode == 2
    assert "key 'k2027', but GUIDANCE_CODEC_KEYS is not set" in unreadable.stderr, unreadable.stderr

    # The history store holds none of it in clear text.
    stored = raw_bytes(history)
    assert b"nordmann" not in stored.lower()
    assert "nordmann" not in history.to_json().lower()
    assert b"nordmann" in raw_bytes(plain_history).lower(), "the check does find a name written without the key"

    # Every payload is ciphertext under the configured key, except search attributes, which hold ids only.
    found = list(payloads(History(events=history.events)))
    values = {where: p for where, p, is_attribute in found if not is_attribute}
    attributes = [DATA_CONVERTER.payload_converter.from_payload(p) for _, p, is_attribute in found if is_attribute]
    assert len(values) > 10, "inputs, updates, results, activity arguments and summaries"
    plain = [where for where, p in values.items() if p.metadata.get("encoding") != ENCODING]
    # The SDK's core writes `workflow.patched` markers itself, past the codec; they hold the patch's name.
    assert all(where.endswith(PATCH_MARKER) for where in plain), "payloads stored in clear text"
    assert {p.metadata[KEY_ID_METADATA] for where, p in values.items() if where not in plain} == {NEW.id.encode()}
    assert [ADVISER] in attributes, "the Advisers search attribute holds the opaque id"
    assert not any("nordmann" in str(value).lower() for value in attributes)


def clear_payload_texts(shown: str) -> str:
    """The data of every payload in `temporal workflow show --output json` (protobuf JSON: base64), as text."""
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("metadata"), dict) and isinstance(node.get("data"), str):
                texts.append(base64.b64decode(node["data"]).decode(errors="replace"))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(json.loads(shown))
    return "\n".join(texts)


async def test_the_temporal_cli_reads_the_names_through_the_codec_server(dev_server: DevServer) -> None:
    client = await Client.connect(dev_server.address, data_converter=protected_data_converter([NEW]))
    fakes = RecordingActivities()
    task_queue = f"codec-{uuid.uuid4()}"
    period = PeriodInput.model_validate(
        {
            "cohort": f"s{uuid.uuid4().hex[:8]}",
            "owner": {"id": "3301", "name": "Drammen", "kind": "municipality", "county": "33"},
            "advisers": [ADVISER],
            "start_date": dates()[0],
            "programme": fakes.plan,
        }
    )
    runner = web.AppRunner(build_app(AesGcmCodec([NEW]), token="operator-token", ui_origins=[]))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    endpoint = "http://{}:{}".format(*runner.addresses[0][:2])
    show = [temporal_cli(), "workflow", "show", "--address", dev_server.address, "--output", "json"]
    try:
        async with build_worker(client, fakes.all(), task_queue=task_queue):
            handle = await api.start_period(client, period, task_queue=task_queue)
            update = RecordMilestone(milestone=Milestone.MAPPING_DONE, adviser=ADVISER, note=f"Agreed with {NAME}")
            await api.record_milestone(client, handle.id, update)
            await wait_until_settled(client, handle.id)
            await handle.terminate("test finished")
        with_codec, without_codec = [
            await asyncio.to_thread(
                subprocess.run, [*show, "--workflow-id", handle.id, *codec], capture_output=True, text=True, check=True
            )
            for codec in (["--codec-endpoint", endpoint, "--codec-auth", "Bearer operator-token"], [])
        ]
    finally:
        await runner.cleanup()

    assert f"Agreed with {NAME}" in clear_payload_texts(with_codec.stdout)
    assert "Nordmann" not in clear_payload_texts(without_codec.stdout)
