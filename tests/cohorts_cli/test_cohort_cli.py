"""`guidance cohort`: start a cohort from a shortlist, pass on answers, add and move gatherings, show it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from typer.testing import CliRunner

from config.owners import owner_by_id
from domain import calendar
from domain.contract import Activities, cohort_workflow_id, period_workflow_id
from domain.records import InvitationRecord
from scripts import generate_indicators
from starter import cli, commands
from starter.cohort_files import CohortFileError, read_assignments
from starter.shortlist import CSV_COLUMNS
from tests.helpers.harness import Harness

ACCEPTED_BY = "Statsforvalteren (dialogue meetings)"


@pytest.fixture(scope="module")
def shortlist_csv(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What `guidance select --format csv` prints for the seeded sample indicator data."""
    indicators = tmp_path_factory.mktemp("select") / "indicators.csv"
    indicators.write_text(generate_indicators.generate(seed=7), encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["select", "--indicators", str(indicators), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return result.stdout


async def test_a_cohort_starts_from_the_shortlist_of_select_and_shows_as_a_table(
    cohort_cli: Harness, shortlist_csv: str
) -> None:
    shortlist = cohort_cli.file("shortlist.csv", shortlist_csv)
    owner_ids = [line.split(",", 2)[1] for line in shortlist_csv.splitlines()[1:]]
    name, start = cohort_cli.new_name(), await cohort_cli.working_day_in(7)

    result = await cohort_cli.start_cohort_with_command(
        name,
        *("--start-date", start.isoformat(), "--shortlist", str(shortlist)),
        *("--advisers", "a.hansen,b.olsen", "--advisers", "c.berg", "--accepted-by", ACCEPTED_BY),
        env={"TTY_COMPATIBLE": "1"},  # stderr counts as a terminal: the progress bar shows
    )

    assert result.exit_code == 0, result.output
    n = len(owner_ids)
    assert n >= 30
    assert f"Started {cohort_workflow_id(name)}: {n} school owners, periods start {start}" in result.stdout
    assert f"{n} accepted already (by {ACCEPTED_BY}): their periods start now" in result.stdout
    assert f"{n} periods started in " in result.stdout
    assert f"{n} owners: {n} accepted, 0 declined" in result.stdout
    assert f"Starting the periods of cohort {name}" in result.stderr and f"{n}/{n}" in result.stderr
    # One adviser each, in turn, in the shortlist's order.
    records = await cohort_cli.fakes.received(Activities.RECORD_INVITATION, n)
    advisers = {r.owner_id: r.advisers for r in records if isinstance(r, InvitationRecord)}
    assert [advisers[i] for i in owner_ids[:4]] == [["a.hansen"], ["b.olsen"], ["c.berg"], ["a.hansen"]]
    first = await cohort_cli.client.get_workflow_handle(period_workflow_id(name, owner_ids[0])).describe()
    assert first.status == WorkflowExecutionStatus.RUNNING

    table = await cohort_cli.guidance("cohort", "show", name)
    assert table.exit_code == 0, table.output
    for owner_id in owner_ids:
        owner = owner_by_id(owner_id)
        row = next(line for line in table.stdout.splitlines() if f" {owner_id} " in f" {line} " and owner.name in line)
        assert " accepted " in row and f" {owner.county} " in row
    assert "National gatherings" in table.stdout and "Start gathering" in table.stdout
    assert f"{n} owners: {n} accepted" in table.stdout

    county = owner_by_id(owner_ids[0]).county
    as_json = await cohort_cli.guidance("cohort", "show", name, "--county", county, "--json")
    assert as_json.exit_code == 0, as_json.output
    status = json.loads(as_json.stdout)
    in_county = [i for i in owner_ids if owner_by_id(i).county == county]
    assert sorted(i["owner_id"] for i in status["invitations"]) == sorted(in_county)
    assert status["periods_started"] == n  # the counts stay the whole cohort's


async def test_a_shortlist_naming_an_unknown_owner_says_where_and_starts_nothing(cohort_cli: Harness) -> None:
    header = ",".join(CSV_COLUMNS)
    shortlist = cohort_cli.file(
        "bad.csv", f"{header}\n1,3301,Drammen,33,rank,0.5,1,2,0,,,x\n2,9999,Nowhere,99,rank,0.4,1,2,0,,,y\n"
    )
    name, start = cohort_cli.new_name(), await cohort_cli.working_day_in(7)

    result = await cohort_cli.start_cohort_with_command(
        name, "--start-date", start.isoformat(), "--shortlist", str(shortlist), "--advisers", "a.b"
    )

    assert result.exit_code == commands.EXIT_REJECTED
    assert f"error: {shortlist}: line 3, column owner_id: unknown school owner '9999'" in result.stderr
    assert "hint: nothing was started" in result.stderr
    with pytest.raises(RPCError) as missing:
        await cohort_cli.client.get_workflow_handle(cohort_workflow_id(name)).describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND


async def test_a_shortlist_without_owner_ids_says_what_the_header_should_be(cohort_cli: Harness) -> None:
    shortlist = cohort_cli.file("names.csv", "rank;owner_name\n1;Drammen\n")

    result = await cohort_cli.start_cohort_with_command(
        "x", "--start-date", "2027-01-04", "--shortlist", str(shortlist), "--advisers", "a.hansen"
    )

    assert result.exit_code == commands.EXIT_REJECTED
    assert f"{shortlist}: line 1: the header lacks owner_id" in result.stderr
    assert "got rank;owner_name" in result.stderr


async def test_an_accepted_answer_starts_the_period_and_a_second_answer_is_rejected(cohort_cli: Harness) -> None:
    name, start = cohort_cli.new_name(), await cohort_cli.working_day_in(7)
    started = await cohort_cli.start_cohort_with_command(
        name, "--start-date", start.isoformat(), "--owners", "3301,1103", "--advisers", "a.hansen"
    )
    assert started.exit_code == 0, started.output
    assert "2 invited through the county governor: they answer within 15 working days" in started.stdout
    assert "periods started" not in started.stdout  # nothing to wait for

    accepted = await cohort_cli.guidance("cohort", "answer", name, "3301", "accept", "--by", "Statsforvalteren")
    assert accepted.exit_code == 0, accepted.output
    period = period_workflow_id(name, "3301")
    assert f"Drammen (3301) accepted in cohort {name} (passed on by Statsforvalteren); its period {period}" in (
        accepted.stdout
    )
    described = await cohort_cli.client.get_workflow_handle(period).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING

    again = await cohort_cli.guidance("cohort", "answer", name, "3301", "decline", "--by", "Statsforvalteren")
    assert again.exit_code == commands.EXIT_REJECTED
    assert "error: rejected: owner_id: Drammen (3301) has already answered: accepted by Statsforvalteren" in (
        again.stderr
    )
    assert again.stdout == ""

    declined = await cohort_cli.guidance("cohort", "answer", name, "1103", "decline", "--by", "Statsforvalteren")
    assert declined.exit_code == 0, declined.output
    assert "Stavanger (1103) declined" in declined.stdout
    assert "2 owners: 1 accepted, 1 declined, 0 awaiting an answer" in declined.stdout

    only_declined = await cohort_cli.guidance("cohort", "show", name, "--state", "declined")
    assert only_declined.exit_code == 0, only_declined.output
    assert "Stavanger" in only_declined.stdout and "Drammen" not in only_declined.stdout
    assert "Shown: 1 of 2 owners." in only_declined.stdout
    # Drammen's period has just begun: it is not overdue (the web overview's rule, readmodel.filters).
    on_time = await cohort_cli.guidance("cohort", "show", name, "--not-overdue", "--state", "accepted")
    late = await cohort_cli.guidance("cohort", "show", name, "--overdue")
    assert on_time.exit_code == 0 and "Drammen" in on_time.stdout and "Shown: 1 of 2 owners." in on_time.stdout
    assert late.exit_code == 0 and "Drammen" not in late.stdout and "Shown: 0 of 2 owners." in late.stdout

    twice = await cohort_cli.start_cohort_with_command(
        name, "--start-date", "2027-01-04", "--owners", "3301", "--advisers", "a.hansen"
    )
    assert twice.exit_code == commands.EXIT_REJECTED
    assert f"cohort workflow {cohort_workflow_id(name)} already exists" in twice.stderr


async def test_a_gathering_is_added_and_moved_and_a_saturday_is_refused_with_the_next_working_day(
    cohort_cli: Harness,
) -> None:
    name, start = cohort_cli.new_name(), await cohort_cli.working_day_in(7)
    started = await cohort_cli.start_cohort_with_command(
        name,
        *("--start-date", start.isoformat(), "--owners", "3301", "--advisers", "a.hansen"),
        *("--accepted-by", ACCEPTED_BY),
    )
    assert started.exit_code == 0, started.output
    saturday = await cohort_cli.weekend_day_in(14)
    monday = calendar.next_working_day(saturday)
    tuesday = calendar.next_working_day(monday + timedelta(days=1))

    added = await cohort_cli.guidance(
        "cohort", "gathering", "add", name,
        *("--title", "Reading in all subjects", "--date", monday.isoformat(), "--place", "Bergen", "--by", "udir"),
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert f"Added extra-1: Reading in all subjects on {monday}, Bergen" in added.stdout

    refused = await cohort_cli.guidance(
        "cohort", "gathering", "move", name, "extra-1", "--date", saturday.isoformat(), "--by", "udir"
    )
    assert refused.exit_code == commands.EXIT_REJECTED
    assert (
        f"error: rejected: date: {saturday} is a Saturday; gatherings fall on working days; "
        f"the next working day is {monday}"
    ) in refused.stderr

    moved = await cohort_cli.guidance(
        "cohort", "gathering", "move", name, "extra-1", "--date", tuesday.isoformat(), "--by", "udir", "--json"
    )
    assert moved.exit_code == 0, moved.output
    gathering = next(g for g in json.loads(moved.stdout)["gatherings"] if g["gathering_id"] == "extra-1")
    assert (gathering["date"], gathering["place"], gathering["sequence"]) == (tuesday.isoformat(), "Bergen", 1)

    unknown = await cohort_cli.guidance(
        "cohort", "gathering", "move", name, "nope", "--date", tuesday.isoformat(), "--by", "udir"
    )
    assert unknown.exit_code == commands.EXIT_REJECTED
    assert (
        "rejected: gathering_id: 'nope' is not a gathering of this cohort; known: extra-1, start, month-6"
        in unknown.stderr
    )

    table = await cohort_cli.guidance("cohort", "show", name)
    row = next(line for line in table.stdout.splitlines() if line.strip().startswith("extra-1"))
    assert "Reading in all subjects" in row and tuesday.isoformat() in row and "Bergen" in row


async def test_an_assignment_file_gives_advisers_and_networks_and_a_network_meeting_reaches_its_periods(
    cohort_cli: Harness,
) -> None:
    assign = cohort_cli.file(
        "assign.csv",
        "owner_id,advisers,network,kindergarten_transition\n"
        "4617,d.lie,Sunnhordland,yes\n"
        "4613,d.lie;e.moe,Sunnhordland,no\n"
        "3301,a.hansen,,\n",
    )
    name, start = cohort_cli.new_name(), await cohort_cli.working_day_in(7)
    started = await cohort_cli.start_cohort_with_command(
        name, "--start-date", start.isoformat(), "--assign", str(assign), "--accepted-by", "sf"
    )
    assert started.exit_code == 0, started.output
    assert "3 periods started" in started.stdout

    day = calendar.next_working_day(start + timedelta(days=14))
    result = await cohort_cli.guidance(
        "cohort", "network-meeting", name,
        *("--network", "Sunnhordland", "--date", day.isoformat(), "--start", "10:00", "--adviser", "d.lie"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Scheduled network-1 for network Sunnhordland: {day} 10:00 (120 min) with d.lie" in result.stdout
    assert "sent to 2 running periods" in result.stdout

    wrong = await cohort_cli.guidance(
        "cohort",
        "network-meeting",
        name,
        "--network",
        "Sunnhordland",
        "--date",
        day.isoformat(),
        "--adviser",
        "a.hansen",
    )
    assert wrong.exit_code == commands.EXIT_REJECTED
    assert "rejected: adviser: a.hansen advises no owner of network Sunnhordland; allowed: d.lie, e.moe" in wrong.stderr

    table = await cohort_cli.guidance("cohort", "show", name, "--json")
    networks = {i["owner_id"]: i["network"] for i in json.loads(table.stdout)["invitations"]}
    assert networks == {"4617": "Sunnhordland", "4613": "Sunnhordland", "3301": None}

    cancel = ("--network", "Sunnhordland", "--meeting-id", "network-1", "--adviser", "e.moe")
    cancelled = await cohort_cli.guidance("cohort", "cancel-network-meeting", name, *cancel)
    again = await cohort_cli.guidance("cohort", "cancel-network-meeting", name, *cancel)
    shown = await cohort_cli.guidance("cohort", "show", name)

    assert cancelled.exit_code == 0, cancelled.output
    assert "Cancelled network-1 of network Sunnhordland; the cancellation goes to 2 running periods" in cancelled.stdout
    assert again.exit_code == commands.EXIT_REJECTED and "network-1 was cancelled on" in again.stderr
    assert f"Network meeting network-1 (Sunnhordland): {day} 10:00, cancelled on" in shown.stdout


async def test_mistakes_are_one_line_and_an_exit_code(cohort_cli: Harness) -> None:
    start = ("--start-date", "2027-01-04")
    no_owners = await cohort_cli.start_cohort_with_command("x", *start, "--advisers", "a.hansen")
    assert no_owners.exit_code == commands.EXIT_USAGE
    assert "name the owners: --shortlist FILE, --owners" in no_owners.stderr

    both = await cohort_cli.start_cohort_with_command(
        "x", *start, "--owners", "3301", "--all-owners", "--advisers", "a.hansen"
    )
    assert both.exit_code == commands.EXIT_USAGE
    assert "name the owners once: --owners and --all-owners given" in both.stderr

    no_advisers = await cohort_cli.start_cohort_with_command("x", *start, "--owners", "3301,1103")
    assert no_advisers.exit_code == commands.EXIT_USAGE
    assert "no advisers for 2 owners (3301, 1103)" in no_advisers.stderr

    unknown_owner = await cohort_cli.start_cohort_with_command(
        "x", *start, "--owners", "3301,Dramen", "--advisers", "a.hansen"
    )
    assert unknown_owner.exit_code == commands.EXIT_USAGE
    assert "unknown school owner 'Dramen'" in unknown_owner.stderr

    bad_date = await cohort_cli.start_cohort_with_command(
        "x", "--start-date", "04.01.2027", "--owners", "3301", "--advisers", "a.hansen"
    )
    assert bad_date.exit_code == commands.EXIT_USAGE
    assert "--start-date: '04.01.2027' is not a date" in bad_date.stderr

    bad_name = await cohort_cli.start_cohort_with_command(
        "no way", *start, "--owners", "3301", "--advisers", "a.hansen"
    )
    assert bad_name.exit_code == commands.EXIT_REJECTED
    assert "invalid input: cohort (NAME): String should match pattern" in bad_name.stderr

    missing = await cohort_cli.guidance("cohort", "show", "no-such-cohort")
    assert missing.exit_code == commands.EXIT_REJECTED
    assert "no running cohort 'no-such-cohort' (workflow id cohort-no-such-cohort)" in missing.stderr

    answer = await cohort_cli.guidance("cohort", "answer", "no-such-cohort", "3301", "accept", "--by", "sf")
    assert answer.exit_code == commands.EXIT_REJECTED
    assert "no running cohort 'no-such-cohort'" in answer.stderr

    maybe = await cohort_cli.guidance("cohort", "answer", "x", "3301", "maybe", "--by", "sf")
    assert maybe.exit_code == commands.EXIT_USAGE
    for result in (no_owners, both, no_advisers, unknown_owner, bad_date, bad_name, missing, answer):
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr


def test_the_assignment_file_names_every_bad_cell(tmp_path: Path) -> None:
    path = tmp_path / "assign.csv"
    path.write_text(
        "owner_id;advisers;kindergarten_transition\n3301;A.Hansen;maybe\n3301;a.hansen;\n1103;;no\n", encoding="utf-8"
    )
    with pytest.raises(CohortFileError) as error:
        read_assignments(path)
    assert str(error.value).splitlines() == [
        f"{path}: line 2, column advisers: 'A.Hansen' is no adviser user name; expected e.g. a.hansen",
        f"{path}: line 2, column kindergarten_transition: 'maybe': expected yes or no (or empty for no)",
        f"{path}: line 3, column owner_id: 3301 (Drammen) is already on line 2",
        f"{path}: line 4, column advisers: no adviser; expected user names separated by ';'",
    ]
