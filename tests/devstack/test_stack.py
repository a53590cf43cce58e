"""`make dev` and `make demo` as a newcomer runs them: `python -m devstack` in a subprocess."""

from __future__ import annotations

import asyncio
import io
import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import asyncpg
from temporalio.client import Client

from devstack.binaries import temporal_cli
from devstack.demo import DEMO_COHORT, DEMO_PERIODS, run_demo
from devstack.people_sample import PEOPLE_FILE
from devstack.stack import _stack_settings
from devstack.temporal_server import HOST, free_port
from domain.contract import period_workflow_id
from domain.models import PeriodStatus
from starter.connect import data_converter
from tests.devstack.stack_process import clean_environment, devstack_process, eventually

VISIBILITY_SECONDS = 30.0


def _http_status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        status: int = response.status
        return status


async def _eventually_http_200(url: str, seconds: float = 15) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        try:
            return await asyncio.to_thread(_http_status, url)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.3)


async def _workflow_list(address: str, query: str) -> list[dict[str, object]]:
    listed = await asyncio.to_thread(
        subprocess.run,
        [temporal_cli(), "workflow", "list", "--address", address, "--query", query, "--output", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[dict[str, object]] = json.loads(listed.stdout or "[]")
    return rows


async def test_make_dev_prints_where_everything_is_serves_the_web_ui_and_stops_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    async with devstack_process(data_dir) as stack:
        assert stack.banner_value("Web UI") == stack.ui_url
        assert stack.banner_value("Temporal").startswith(stack.address)
        assert "embedded" in stack.banner_value("PostgreSQL")
        assert "/dev/mailbox" in stack.banner_value("Mail")
        assert stack.banner_value("People").startswith(f"var/{PEOPLE_FILE}  (who receives what")
        assert any("guidance start --cohort 2027 --owner 3301" in line for line in stack.banner)
        assert await _eventually_http_200(stack.ui_url) == 200
        assert stack.children, "the dev server runs as a child process"
        assert stack.postmaster is not None, "the embedded PostgreSQL runs in the data folder"

        code, said = await stack.stop(signal.SIGTERM)

    assert code == 0, stack.stderr()
    assert "Traceback" not in stack.stderr()
    assert "Stopping" in said
    assert stack.survivors() == []
    assert (data_dir / "temporal.sqlite").exists()


async def test_database_url_names_the_record_store_instead_of_the_embedded_server(
    tmp_path: Path, postgres_url: str
) -> None:
    data_dir = tmp_path / "var"
    async with devstack_process(data_dir, env={"DATABASE_URL": postgres_url}) as stack:
        connection = await asyncpg.connect(postgres_url)
        try:
            periods_table = await connection.fetchval("SELECT to_regclass('periods')::text")
        finally:
            await connection.close()
        code, _ = await stack.stop()

    assert stack.database_url == postgres_url
    assert "from DATABASE_URL" in stack.banner_value("PostgreSQL")
    assert periods_table == "periods", "the worker applied the schema at start"
    assert not (data_dir / "postgres").exists(), "no embedded server was started"
    assert code == 0, stack.stderr()


async def test_ctrl_c_stops_it_with_exit_code_0(tmp_path: Path) -> None:
    async with devstack_process(tmp_path / "var") as stack:
        code, _ = await stack.stop(signal.SIGINT)

    assert code == 0, stack.stderr()
    assert "Traceback" not in stack.stderr()
    assert stack.survivors() == []


async def test_a_taken_port_is_explained_without_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "devstack",
                "--port",
                str(port),
                "--ui-port",
                str(free_port()),
                "--data-dir",
                str(tmp_path / "var"),
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_environment(),
            timeout=120,
        )

    assert result.returncode != 0
    assert f"port {port} (Temporal) is already in use" in result.stderr
    assert "another `make dev`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "postgres").exists(), "nothing is started when a port is taken"


async def test_a_data_folder_in_use_is_explained(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    async with devstack_process(data_dir):
        result = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "devstack",
                "--port",
                str(free_port()),
                "--ui-port",
                str(free_port()),
                "--data-dir",
                str(data_dir),
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_environment(),
            timeout=120,
        )

    assert result.returncode != 0
    assert "is in use by pid" in result.stderr
    assert "Traceback" not in result.stderr


async def test_make_demo_shows_periods_in_different_phases(tmp_path: Path) -> None:
    async with devstack_process(tmp_path / "var", "--demo") as stack:
        # Visibility follows each workflow's search-attribute upserts with a lag; wait for each answer.
        rows = await eventually(
            lambda: _workflow_ids(stack.address, f"Cohort='{DEMO_COHORT}'"),
            lambda ids: len(ids) >= len(DEMO_PERIODS),
            seconds=VISIBILITY_SECONDS,
        )
        anchoring = await eventually(
            lambda: _workflow_ids(stack.address, f"Cohort='{DEMO_COHORT}' AND GuidancePhase='anchoring'"),
            bool,
            seconds=VISIBILITY_SECONDS,
        )
        overdue = await eventually(
            lambda: _workflow_ids(stack.address, f"Cohort='{DEMO_COHORT}' AND Overdue=true"),
            bool,
            seconds=VISIBILITY_SECONDS,
        )
        client = await Client.connect(stack.address, data_converter=data_converter())
        started_again = await run_demo(client, out=io.StringIO())
        tromso = await client.get_workflow_handle(period_workflow_id(DEMO_COHORT, "5501")).query(
            "status", result_type=PeriodStatus
        )

        code, _ = await stack.stop()

    assert sorted(rows) == sorted(period_workflow_id(DEMO_COHORT, demo.owner_id) for demo in DEMO_PERIODS)
    assert anchoring == [period_workflow_id(DEMO_COHORT, "4601")]
    assert period_workflow_id(DEMO_COHORT, "1804") in overdue
    assert started_again == [], "a second demo run leaves the periods as they are"
    # Tromsø is implementing its measures with Lesesenteret agreed; UiT was proposed too.
    assert [(e.environment_id, e.state) for e in tromso.competence_environments] == [
        ("lesesenteret", "agreed"),
        ("uit", "proposed"),
    ]
    assert code == 0, stack.stderr()
    assert stack.survivors() == []


async def _workflow_ids(address: str, query: str) -> list[str]:
    ids = []
    for row in await _workflow_list(address, query):
        execution = row["execution"]
        assert isinstance(execution, dict)
        ids.append(str(execution["workflowId"]))
    return ids


async def test_a_bad_people_file_is_explained_in_one_line_before_anything_starts(tmp_path: Path) -> None:
    people = tmp_path / "people.toml"
    people.write_text('[[advisers]]\nid = "a.hansen"\nname = "Anne Hansen"\naddress = "anne"\n', encoding="utf-8")

    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "devstack", "--port", str(free_port()), "--ui-port", str(free_port()),
         "--data-dir", str(tmp_path / "var")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean_environment(), "GUIDANCE_PEOPLE_FILE": str(people)},
        timeout=120,
    )  # fmt: skip

    assert result.returncode != 0
    assert f"GUIDANCE_PEOPLE_FILE: people file {people}: line 1, advisers[0].address:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "postgres").exists(), "nothing is started with a bad people file"


async def test_make_dev_writes_a_sample_people_file_and_keeps_an_edited_one(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    settings = _stack_settings(data_dir)
    assert settings.people_file == data_dir / PEOPLE_FILE
    edited = settings.people_file.read_text(encoding="utf-8").replace("Anne Hansen", "Anne B. Hansen")
    settings.people_file.write_text(edited, encoding="utf-8")

    assert _stack_settings(data_dir).people_file.read_text(encoding="utf-8") == edited  # type: ignore[union-attr]
