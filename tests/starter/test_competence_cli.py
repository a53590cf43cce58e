"""`guidance competence`: the register listed and checked, and a period's environment proposed, contacted and agreed
from the command line (the real workflow on the time-skipping server, fake activities)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from config.competence import REGISTER_FILE
from starter import cli, commands
from tests.helpers.harness import Harness
from tests.starter.test_cli import assert_no_traceback, started


async def _area_chosen(harness: Harness) -> tuple[str, ...]:
    cohort = await started(harness)
    period = ("--cohort", cohort, "--owner", "3301", "--adviser", "a.hansen")
    area = ("development_area_chosen", "--development-area", "basic_skills")
    for args in (("mapping_done",), ("anchoring_done",), area):
        done = await harness.guidance("milestone", *period, *args)
        assert done.exit_code == 0, done.output
    return period


async def test_an_environment_is_proposed_contacted_and_agreed_and_the_status_shows_it(harness: Harness) -> None:
    period = await _area_chosen(harness)
    today = (await harness.today()).isoformat()

    proposed = await harness.guidance("competence", "propose", "lesesenteret", *period, "--note", "Early reading")
    contacted = await harness.guidance("competence", "contacted", "lesesenteret", *period, "--date", today)
    agreed = await harness.guidance("competence", "agreed", "lesesenteret", *period)
    again = await harness.guidance("competence", "agreed", "lesesenteret", *period)

    assert proposed.exit_code == 0, proposed.output
    assert "(Universitetet i Stavanger): Proposed." in proposed.stdout
    assert contacted.exit_code == 0 and agreed.exit_code == 0, contacted.output + agreed.output
    assert f"Agreed {today} by a.hansen" in agreed.stdout  # the status's row of the cycle's environments
    assert again.exit_code == commands.EXIT_REJECTED
    assert "rejected: state: Lesesenteret" in again.stderr and "is agreed already" in again.stderr
    assert_no_traceback(again)


async def test_an_unknown_environment_or_one_not_serving_the_area_is_refused_with_a_clear_line(
    harness: Harness,
) -> None:
    period = await _area_chosen(harness)

    unknown = await harness.guidance("competence", "propose", "lesesentret", *period)
    not_served = await harness.guidance("competence", "propose", "laringsmiljosenteret", *period)
    future = await harness.guidance("competence", "propose", "skrivesenteret", *period, "--date", "2099-01-05")

    assert unknown.exit_code == commands.EXIT_USAGE
    assert "unknown competence environment 'lesesentret'" in unknown.stderr
    assert "guidance competence list" in unknown.stderr
    assert not_served.exit_code == commands.EXIT_REJECTED
    assert "does not serve the period's development area basic_skills" in not_served.stderr
    assert future.exit_code == commands.EXIT_REJECTED
    assert "rejected: date: 2099-01-05 is in the future" in future.stderr


def test_the_register_is_listed_by_area_and_the_shipped_file_checks() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli.app, ["competence", "list", "--area", "learning_environment"])
    checked = runner.invoke(cli.app, ["competence", "check"])

    assert listed.exit_code == 0, listed.output
    assert "laringsmiljosenteret" in listed.stdout and "https://www.statped.no" in listed.stdout
    assert "skrivesenteret" not in listed.stdout  # it serves no learning environment
    assert checked.exit_code == 0, checked.output
    assert f"{REGISTER_FILE}: ok: 22 environments" in checked.stdout


def test_a_bad_register_file_is_refused_naming_the_file_the_row_and_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "register.toml"
    text = REGISTER_FILE.read_text(encoding="utf-8")
    bad.write_text(text.replace('kind = "statped"', 'kind = "agency"', 1), encoding="utf-8")

    result = CliRunner().invoke(cli.app, ["competence", "check", str(bad)])

    assert result.exit_code == commands.EXIT_REJECTED
    assert f"{bad}: environments[7] (statped).kind: Input should be" in result.stderr
