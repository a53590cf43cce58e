"""`guidance assessment` and `guidance select --cohort`: ask the county governors about the shortlist's spread-track
owners, record an answer (on their behalf, or as the county governor), and show each owner's state beside the
scores. In-process against the module's dev server (real time), with a worker of recording fakes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devstack.temporal_server import DevServer
from domain.contract import Activities
from scripts import generate_indicators
from starter import commands
from tests.helpers.harness import Harness, harness_on


@pytest.fixture(scope="module")
def indicators(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("assessment") / "indicators.csv"
    path.write_text(generate_indicators.generate(seed=7), encoding="utf-8")
    return path


@pytest.fixture
async def assessment_cli(
    dev_server: DevServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[Harness]:
    monkeypatch.setattr(commands, "client_factory", dev_server.connect)
    client = await dev_server.connect()
    options = {"folder": tmp_path, "command_env": {"COLUMNS": "250"}, "check_commands": True}
    async with harness_on(client, prefix="assessment-cli", **options) as harness:
        yield harness


async def test_the_spread_track_is_asked_answered_and_shown_beside_the_scores(
    assessment_cli: Harness, indicators: Path
) -> None:
    name = assessment_cli.new_name()
    started = await assessment_cli.guidance(
        *("assessment", "start", name, "--indicators", str(indicators), "--by", "coordinator"),
        *("--task-queue", assessment_cli.task_queue),
    )
    assert started.exit_code == 0, started.output
    assessment_cli.track(f"assessment-{name}")
    assert f"school owners of cohort {name}; reply by" in started.stdout

    shown = await assessment_cli.guidance("assessment", "status", name, "--json")
    assert shown.exit_code == 0, shown.output
    requests = json.loads(shown.stdout)["requests"]
    assert len(requests) == 10 and {r["state"] for r in requests} == {"requested"}
    letters = await assessment_cli.fakes.received(Activities.RECORD_COUNTY_ASSESSMENT, 10)
    assert {r.event for r in letters} == {"requested"}

    first, second = requests[0], requests[1]
    recorded = await assessment_cli.guidance(
        *("assessment", "record", name, first["owner_id"], "--priority", "1", "--text", "Two schools behind"),
        *("--by", "coordinator"),
    )
    assert recorded.exit_code == 0, recorded.output
    assert "answered: priority 1, recorded by coordinator on the county governor's behalf" in recorded.stdout

    # A county governor of another county is refused, naming the field, in the person's language.
    other = "03" if second["county"] != "03" else "11"
    refused = await assessment_cli.guidance(
        *("assessment", "record", name, second["owner_id"], "--priority", "1", "--text", "x"),
        *("--by", "sf.other", "--county-governor", other),
        env={"LANG": "nb_NO.UTF-8"},
    )
    assert refused.exit_code == 1
    assert f"feil: avvist: owner_id: {second['owner_name']} ({second['owner_id']}) ligger i fylke" in refused.stderr
    too_long = await assessment_cli.guidance(
        *("assessment", "record", name, second["owner_id"], "--priority", "1", "--text", "x" * 4001),
        *("--by", "coordinator"),
    )
    assert too_long.exit_code == 1 and "--text" in too_long.stderr

    table = await assessment_cli.guidance("select", "--indicators", str(indicators), "--cohort", name)
    assert table.exit_code == 0, table.output
    assert "county governor" in table.stdout and "answered: priority 1" in table.stdout
    assert "waiting (reply by" in table.stdout
    csv = await assessment_cli.guidance("select", "--indicators", str(indicators), "--cohort", name, "--format", "csv")
    rows = [line.split(",") for line in csv.stdout.splitlines()]
    assert rows[0][-3:] == ["assessment_state", "assessment_priority", "assessment"]
    assert [r[-3:] for r in rows[1:] if r[1] == first["owner_id"]] == [["answered", "1", "Two schools behind"]]

    missing = await assessment_cli.guidance("assessment", "status", assessment_cli.new_name())
    assert missing.exit_code == 1 and "no county governors' assessment has been started" in missing.stderr
