"""The `guidance` command, in-process: what a coordinator or adviser sees, and the exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from domain.contract import period_workflow_id
from domain.models import Withdraw
from domain.phases import Phase
from language import formats
from language.current import using
from starter import cli, commands
from starter import client as api
from starter.connect import connect
from tests.helpers.harness import Harness


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


async def started(harness: Harness) -> str:
    """The cohort of a period of Drammen (3301) started through the client API."""
    period = await harness.period_input()
    await harness.start_period_with_client(period)
    return period.cohort


async def test_start_then_status_as_table_and_as_json(harness: Harness) -> None:
    cohort = harness.new_name()
    workflow_id = period_workflow_id(cohort, "3301")
    harness.track(workflow_id)
    today = await harness.today()

    result = await harness.guidance(
        "start",
        *("--cohort", cohort, "--owner", "3301", "--adviser", "a.hansen", "--adviser", "b.olsen"),
        *("--start-date", today.isoformat(), "--school", "Fjell skole", "--task-queue", harness.task_queue),
    )

    assert result.exit_code == 0, result.output
    assert f"Started {workflow_id}: Drammen (3301), cohort {cohort}" in result.stdout
    assert "Plan veilederkorpset" in result.stdout

    table = await harness.guidance("status", "--cohort", cohort, "--owner", "3301")
    assert table.exit_code == 0, table.output
    for shown in (
        "Drammen (3301), municipality, county 33",
        "Mapping and analysis (cycle 1",
        "a.hansen, b.olsen",
        "Due",
        "Ends",
    ):
        assert shown in table.stdout

    as_json = await harness.guidance("status", "--workflow-id", workflow_id, "--json")
    assert as_json.exit_code == 0, as_json.output
    status = json.loads(as_json.stdout)
    assert (status["workflow_id"], status["phase"], status["owner"]["name"]) == (workflow_id, "mapping", "Drammen")


async def test_milestone_prints_the_new_status(harness: Harness) -> None:
    cohort = await started(harness)

    result = await harness.guidance(
        "milestone", "mapping_done", "--cohort", cohort, "--owner", "3301", "--adviser", "a.hansen", "--note", "read"
    )

    assert result.exit_code == 0, result.output
    assert "Recorded Mapping and analysis done: Drammen (3301) is now in Anchoring" in result.stdout
    assert "Mapping and analysis done (cycle 1)" in result.stdout


async def test_a_rejected_milestone_names_the_field_and_the_milestone_that_closes_the_phase(harness: Harness) -> None:
    cohort = await started(harness)

    result = await harness.guidance(
        "milestone", "goals_prioritised", "--cohort", cohort, "--owner", "3301", "--adviser", "a.hansen", "--goal", "x"
    )

    assert result.exit_code == commands.EXIT_REJECTED
    assert result.stdout == ""
    assert "rejected: milestone: goals_prioritised does not close the current phase mapping" in result.stderr
    assert "the milestone that does is mapping_done" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert_no_traceback(result)


async def test_meeting_is_scheduled_then_moved(harness: Harness) -> None:
    cohort = await started(harness)
    first, later = await harness.working_day_in(10), await harness.working_day_in(20)
    period = ("--cohort", cohort, "--owner", "3301", "--adviser", "b.olsen")

    scheduled = await harness.guidance(
        "meeting",
        *period,
        "--kind",
        "kickoff",
        "--date",
        first.isoformat(),
        "--start",
        "10:30",
        "--school",
        "Fjell skole",
    )
    assert scheduled.exit_code == 0, scheduled.output
    assert f"Scheduled m1: Kick-off meeting on {first.isoformat()} at 10:30." in scheduled.stdout

    moved = await harness.guidance(
        "meeting", *period, "--kind", "kickoff", "--date", later.isoformat(), "--meeting-id", "m1", "--duration", "90"
    )
    assert moved.exit_code == 0, moved.output
    assert f"Moved m1: Kick-off meeting on {later.isoformat()} at 09:00." in moved.stdout
    assert f"m1 {later.isoformat()} 09:00 (90 min) Kick-off meeting" in moved.stdout


async def test_a_meeting_is_cancelled_and_cancelling_it_again_is_rejected(harness: Harness) -> None:
    cohort = await started(harness)
    period = ("--cohort", cohort, "--owner", "3301", "--adviser", "a.hansen")
    day = await harness.working_day_in(10)
    scheduled = await harness.guidance("meeting", *period, "--kind", "follow_up", "--date", day.isoformat())
    assert scheduled.exit_code == 0, scheduled.output

    cancelled = await harness.guidance("cancel-meeting", *period, "--meeting-id", "m1", "--reason", "ill")
    again = await harness.guidance("cancel-meeting", *period, "--meeting-id", "m1")

    assert cancelled.exit_code == 0, cancelled.output
    assert "Cancelled m1." in cancelled.stdout
    assert f"m1 {day.isoformat()} 09:00 (120 min) Follow-up" in cancelled.stdout  # the cell wraps at 80 columns
    assert "(cancelled)" in cancelled.stdout
    assert again.exit_code == commands.EXIT_REJECTED
    assert "rejected: meeting_id: m1 was cancelled on" in again.stderr
    assert_no_traceback(again)


async def test_a_meeting_on_a_weekend_is_rejected_naming_the_date(harness: Harness) -> None:
    cohort = await started(harness)
    saturday = await harness.weekend_day_in(7)

    result = await harness.guidance(
        "meeting",
        "--cohort",
        cohort,
        "--owner",
        "3301",
        "--adviser",
        "a.hansen",
        "--kind",
        "kickoff",
        "--date",
        str(saturday),
    )

    assert result.exit_code == commands.EXIT_REJECTED
    assert f"rejected: date: {saturday.isoformat()} is a Saturday" in result.stderr
    assert_no_traceback(result)


async def test_a_rejection_is_printed_in_the_commands_language(harness: Harness) -> None:
    # The workflow refuses in English with a code and params; the command says it in bokmål, days with weekdays.
    cohort = await started(harness)
    saturday = await harness.weekend_day_in(7)
    monday = saturday + timedelta(days=2)  # a plain Saturday: neither it nor the Monday after is a holiday
    arguments = ["--cohort", cohort, "--owner", "3301", "--adviser", "a.hansen", "--kind", "kickoff"]

    result = await harness.guidance("meeting", *arguments, "--date", str(saturday), env={"LANG": "nb_NO.UTF-8"})

    assert result.exit_code == commands.EXIT_REJECTED
    with using("nb"):
        day, next_day = formats.long_day(saturday), formats.long_day(monday)
    assert day.startswith("lørdag ") and next_day.startswith("mandag ")
    assert (
        f"avvist: date: {day} er ikke en virkedag; møter legges til virkedager; neste virkedag er {next_day}"
        in result.stderr
    )
    assert_no_traceback(result)


async def test_gathering_and_withdraw(harness: Harness) -> None:
    cohort = await started(harness)
    day = await harness.working_day_in(40)
    period = ("--cohort", cohort, "--owner", "3301")

    invited = await harness.guidance(
        "gathering",
        *period,
        "--gathering-id",
        "g1",
        "--title",
        "Start gathering",
        "--date",
        str(day),
        "--place",
        "Oslo",
    )
    assert invited.exit_code == 0, invited.output
    assert f"g1 {day.isoformat()} Start gathering, Oslo" in invited.stdout

    withdrawn = await harness.guidance("withdraw", *period, "--reason", "merger", "--by", "udir", "--json")
    assert withdrawn.exit_code == 0, withdrawn.output
    status = json.loads(withdrawn.stdout)
    assert (status["phase"], status["end_reason"]) == (Phase.WITHDRAWN, "withdrawn by udir: merger")


async def test_a_coordinator_changes_a_periods_advisers(harness: Harness) -> None:
    cohort = await started(harness)
    period = ("--cohort", cohort, "--owner", "3301")

    changed = await harness.guidance("advisers", *period, "c.berg, a.hansen", "--by", "k.nilsen", "--reason", "leave")
    assert changed.exit_code == 0, changed.output
    assert "Advisers of Drammen (3301): c.berg, a.hansen." in changed.stdout

    again = await harness.guidance("advisers", *period, "a.hansen,c.berg", "--by", "k.nilsen")
    assert again.exit_code == commands.EXIT_REJECTED
    assert "rejected: advisers: the period already has exactly these advisers (c.berg, a.hansen)" in again.stderr

    empty = await harness.guidance("advisers", *period, " , ", "--by", "k.nilsen")
    assert empty.exit_code == commands.EXIT_REJECTED
    assert "ADVISERS" in empty.stderr and "at least 1 item" in empty.stderr
    assert_no_traceback(empty)
    status = await api.period_status(harness.client, period_workflow_id(cohort, "3301"))
    assert status.advisers == ["c.berg", "a.hansen"]


async def test_an_invitation_to_an_ended_period_is_refused(harness: Harness) -> None:
    handle = await harness.start_period_with_client()
    await api.withdraw(harness.client, handle.id, Withdraw(reason="merger", by="udir"))

    result = await harness.guidance(
        "gathering", "--workflow-id", handle.id, "--gathering-id", "g1", "--title", "Start", "--date", "2030-01-07"
    )

    assert result.exit_code == commands.EXIT_REJECTED
    assert f"the guidance period {handle.id!r} has ended" in result.stderr
    assert_no_traceback(result)


async def test_an_unknown_owner_is_a_usage_error_with_suggestions(harness: Harness) -> None:
    result = await harness.guidance("status", "--cohort", "2027", "--owner", "Drammen")

    assert result.exit_code == commands.EXIT_USAGE
    assert "unknown school owner 'Drammen'" in result.stderr
    assert "did you mean: 3301 Drammen" in result.stderr
    assert_no_traceback(result)


async def test_an_unknown_plan_is_a_usage_error_listing_the_plans(harness: Harness) -> None:
    result = await harness.guidance(
        "start",
        "--cohort",
        "2027",
        "--owner",
        "3301",
        "--adviser",
        "a.hansen",
        "--start-date",
        "2027-01-04",
        "--plan",
        "kunstskole",
    )

    assert result.exit_code == commands.EXIT_USAGE
    assert result.stderr.strip() == (
        "error: plan: 'kunstskole' is not a programme plan; known plans: "
        "led-skole, leda-for-skolutveckling, oppfolgingsordningen, profesjonsfellesskap, rektorutdanning, "
        "veilederkorpset"
    )


async def test_a_malformed_date_is_a_usage_error(harness: Harness) -> None:
    result = await harness.guidance(
        "start", "--cohort", "2027", "--owner", "3301", "--adviser", "a.hansen", "--start-date", "04.01.2027"
    )

    assert result.exit_code == commands.EXIT_USAGE
    assert result.stderr.strip() == "error: --start-date: '04.01.2027' is not a date; write YYYY-MM-DD, e.g. 2027-03-02"


async def test_invalid_input_names_the_field_and_its_option_not_a_pydantic_dump(harness: Harness) -> None:
    result = await harness.guidance(
        "start", "--cohort", "2027", "--owner", "3301", "--adviser", "A.Hansen", "--start-date", "2027-01-04"
    )

    assert result.exit_code == commands.EXIT_REJECTED
    assert result.stderr.startswith("error: invalid input: advisers.0 (--adviser): String should match pattern")
    assert "ValidationError" not in result.output
    assert "errors.pydantic.dev" not in result.output
    assert_no_traceback(result)


async def test_a_period_that_does_not_exist(harness: Harness) -> None:
    result = await harness.guidance("status", "--cohort", harness.new_name(), "--owner", "3301")

    assert result.exit_code == commands.EXIT_REJECTED
    assert "error: no guidance period with workflow id 'guidance-period-" in result.stderr
    assert_no_traceback(result)


async def test_a_second_start_is_refused(harness: Harness) -> None:
    cohort = await started(harness)

    result = await harness.guidance(
        "start",
        "--cohort",
        cohort,
        "--owner",
        "3301",
        "--adviser",
        "a.hansen",
        "--start-date",
        str(await harness.today()),
    )

    assert result.exit_code == commands.EXIT_REJECTED
    assert f"a guidance period for Drammen (3301) in cohort {cohort} already exists" in result.stderr


async def test_the_period_is_named_either_by_workflow_id_or_by_cohort_and_owner(harness: Harness) -> None:
    both = await harness.guidance("status", "--workflow-id", "guidance-period-2027-3301", "--cohort", "2027")
    neither = await harness.guidance("status", "--cohort", "2027")

    assert (both.exit_code, neither.exit_code) == (commands.EXIT_USAGE, commands.EXIT_USAGE)
    assert "either by --workflow-id or by --cohort and --owner" in both.stderr
    assert "--owner missing" in neither.stderr


async def test_no_worker_answering_is_reported_after_the_timeout(harness: Harness) -> None:
    period = await harness.period_input()
    unserved = harness.task_queue + "-without-worker"
    cohort = period.cohort
    harness.track(period_workflow_id(cohort, "3301"), at_once=True)
    started = await harness.guidance(
        "start",
        *("--cohort", cohort, "--owner", "3301", "--adviser", "a.hansen", "--start-date", str(period.start_date)),
        *("--task-queue", unserved),
    )
    assert started.exit_code == 0, started.output

    result = await harness.guidance("--timeout", "1", "status", "--cohort", cohort, "--owner", "3301")

    assert result.exit_code == commands.EXIT_UNAVAILABLE
    assert "no answer from guidance-period-" in result.stderr
    assert "is a guidance worker running on task queue guidance-periods?" in result.stderr


async def test_temporal_unreachable_names_the_address_and_temporal_address(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setattr(commands, "client_factory", connect)
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{closed_port}")

    result = await harness.guidance("status", "--cohort", "2027", "--owner", "3301")

    assert result.exit_code == commands.EXIT_UNAVAILABLE
    lines = result.stderr.strip().splitlines()
    assert (
        lines[0]
        == f"error: cannot connect to Temporal at 127.0.0.1:{closed_port} (namespace default): connection refused"
    )
    assert "TEMPORAL_ADDRESS" in lines[1]
    assert len(lines) == 2
    assert_no_traceback(result)


def test_owners_finds_the_official_numbers_by_name() -> None:
    result = CliRunner().invoke(cli.app, ["owners", "drammen"])

    assert result.exit_code == 0
    assert "3301" in result.stdout
    assert "Drammen" in result.stdout


def test_the_console_script_reports_an_unreachable_temporal_in_two_lines(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    environment = {**os.environ, "TEMPORAL_ADDRESS": f"127.0.0.1:{closed_port}"}

    done = subprocess.run(
        [sys.executable, "-m", "starter", "status", "--cohort", "2027", "--owner", "3301"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == commands.EXIT_UNAVAILABLE, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines()[0].startswith(f"error: cannot connect to Temporal at 127.0.0.1:{closed_port}")
    assert len(done.stderr.splitlines()) == 2


async def test_a_plan_setting_out_of_bounds_is_a_usage_error_naming_the_variable(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUIDANCE_PLAN_MAX_MONTHS", "0")
    result = await harness.guidance(
        "start", "--cohort", "2027", "--owner", "3301", "--adviser", "a.hansen", "--start-date", "2027-01-04"
    )

    assert result.exit_code == commands.EXIT_USAGE
    assert "GUIDANCE_PLAN_MAX_MONTHS" in result.stderr
    assert "greater than or equal to 1" in result.stderr
    assert_no_traceback(result)
