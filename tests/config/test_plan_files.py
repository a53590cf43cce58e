"""Plan files: the shipped ones pass, a bad one names the file, the field path and what is allowed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.plan_files import SHIPPED_PLANS_DIR, PlanFileError, load_plan_file, plan_names
from starter import cli, commands

SHIPPED = [SHIPPED_PLANS_DIR / f"{name}.toml" for name in plan_names(SHIPPED_PLANS_DIR)]
REKTOR = SHIPPED_PLANS_DIR / "rektorutdanning.toml"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_plan_passes_guidance_plan_check(path: Path) -> None:
    result = CliRunner().invoke(cli.app, ["plan", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: ok: {path.stem}" in result.stdout


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_plan_cites_its_seed(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("\n\n")[0]
    assert "Source: seed 00" in header and "shared/seeds/00" in header
    assert load_plan_file(path).source.startswith("seed 00")


def _edited(tmp_path: Path, old: str, new: str, name: str = "rektorutdanning") -> Path:
    text = REKTOR.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        pytest.param(
            "expected_weeks = 48",
            "expected_weeks = 480",
            "phases[2].expected_weeks: Input should be less than or equal to 260 (got 480)",
            id="too-long",
        ),
        pytest.param(
            'expected_weeks = 6\nclosing_milestone = "participation_arranged"',
            'expected_weeks = "six"\nclosing_milestone = "participation_arranged"',
            "phases[0].expected_weeks: Input should be a valid integer",
            id="not-a-number",
        ),
        pytest.param(
            "optional = true",
            "optional = true\ncolour = 'red'",
            "phases[3].colour: is not a field of a plan here; allowed: phase, title, expected_weeks",
            id="unknown-phase-field",
        ),
        pytest.param(
            "every_weeks = 6",
            "every_weeks = 6\nevery_months = 1",
            "meetings[0]: give exactly one of every_weeks and every_months",
            id="two-cadences",
        ),
        pytest.param(
            'kind = "leadership_group"',
            'kind = "party"',
            "meetings[1].kind: Input should be 'kickoff', 'follow_up'",
            id="unknown-meeting-kind",
        ),
        pytest.param(
            'calendar_country = "NO"',
            'calendar_country = "DK"',
            "calendar_country: Input should be 'NO' or 'SE' (got 'DK')",
            id="unknown-country",
        ),
        pytest.param(
            'phase = "studies"',
            'phase = "enrolment"',
            "phases[2].phase: 'enrolment' is given twice; each must be unique",
            id="phase-twice",
        ),
        pytest.param(
            'phase = "closing_evaluation"',
            'phase = "completed"',
            "phases[4].phase: 'completed' is a terminal state every plan shares",
            id="terminal-name",
        ),
        pytest.param(
            'phase = "studies"',
            'phase = "Studies"',
            "phases[2].phase: String should match pattern",
            id="phase-name-shape",
        ),
        pytest.param("max_months = 18\n", "", "max_months: is required", id="missing"),
        pytest.param('timezone = "Europe/Oslo"', 'timezone = "Europe/Olso"', "time zone 'Europe/Olso'", id="zone"),
    ],
)
def test_a_bad_plan_file_names_the_file_and_the_field_path(tmp_path: Path, old: str, new: str, words: str) -> None:
    path = _edited(tmp_path, old, new)
    with pytest.raises(PlanFileError) as raised:
        load_plan_file(path)
    assert any(problem.startswith(f"{path}: ") and words in problem for problem in raised.value.problems), (
        raised.value.problems
    )


def test_a_file_that_is_not_toml_names_the_line_and_column(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'version = "2026.2"', "version = 2026.1.1")
    with pytest.raises(PlanFileError, match=r"is not valid TOML: .*\(at line \d+, column \d+\)") as raised:
        load_plan_file(path)
    assert str(raised.value).startswith(f"{path}: ")


def test_a_plan_named_otherwise_than_its_file_is_refused(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'name = "rektorutdanning"', 'name = "rektor"')
    with pytest.raises(
        PlanFileError, match=r"name: 'rektor' must be the file's name without .toml \('rektorutdanning'\)"
    ):
        load_plan_file(path)


def test_the_flagships_file_cannot_rename_the_contracts_phases(tmp_path: Path) -> None:
    text = (SHIPPED_PLANS_DIR / "veilederkorpset.toml").read_text(encoding="utf-8")
    path = tmp_path / "veilederkorpset.toml"
    path.write_text(text.replace('closing_milestone = "anchoring_done"', 'closing_milestone = "anchored"'))
    with pytest.raises(
        PlanFileError, match=r"phases\[1\].closing_milestone: phase anchoring is closed by anchoring_done"
    ):
        load_plan_file(path)


def test_guidance_plan_check_reports_every_bad_file_and_exits_non_zero(tmp_path: Path) -> None:
    bad = _edited(tmp_path, "expected_weeks = 48", "expected_weeks = 0")
    result = CliRunner().invoke(cli.app, ["plan", "check", str(REKTOR), str(bad)])
    assert result.exit_code == commands.EXIT_REJECTED
    assert f"{REKTOR}: ok: rektorutdanning" in result.stdout
    assert f"{bad}: phases[2].expected_weeks: Input should be greater than or equal to 1 (got 0)" in result.stderr


def test_guidance_plan_show_and_list_print_the_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    shown = CliRunner().invoke(cli.app, ["plan", "show", "leda-for-skolutveckling"])
    assert shown.exit_code == 0, shown.output
    for words in ("Uppstart", "focus_chosen", "learning_team", "monthly", "not in month 7", "SE working days"):
        assert words in shown.stdout, words
    listed = CliRunner().invoke(cli.app, ["plan", "list"])
    assert listed.exit_code == 0, listed.output
    for name in plan_names(SHIPPED_PLANS_DIR):
        assert name in listed.stdout
    as_json = CliRunner().invoke(cli.app, ["plan", "show", "rektorutdanning", "--json"])
    assert tomllib.loads(REKTOR.read_text())["max_months"] == 18 and '"max_months": 18' in as_json.stdout
    unknown = CliRunner().invoke(cli.app, ["plan", "show", "rektor"])
    assert unknown.exit_code == commands.EXIT_USAGE and "known plans: led-skole" in unknown.stderr


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('development_area = "Val av utviklingsområde"\n', "no phase label in nn for development_area"),
        ('goals_prioritised = "Mål prioriterade"\n', "no milestone label in sv for goals_prioritised"),
        ('school_visit = "School visit"\n', "no meeting kind label in en for school_visit"),
        ('classroom_management = "Klasseledelse"\n', "no development area label in nb for classroom_management"),
    ],
    ids=["phase", "milestone", "meeting-kind", "development-area"],
)
def test_guidance_plan_check_refuses_a_plan_missing_a_label(tmp_path: Path, line: str, words: str) -> None:
    text = (SHIPPED_PLANS_DIR / "veilederkorpset.toml").read_text(encoding="utf-8")
    assert text.count(line) == 1, line
    path = tmp_path / "veilederkorpset.toml"
    path.write_text(text.replace(line, ""), encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["plan", "check", str(path)])
    assert result.exit_code == commands.EXIT_REJECTED
    language = words.split(" in ")[1].split()[0]
    assert f"{path}: labels.{language}: plan veilederkorpset has {words}" in result.stderr


def test_every_shipped_plan_has_a_label_for_every_code_in_every_language() -> None:
    for path in SHIPPED:
        plan = load_plan_file(path)
        assert set(plan.labels) == {"nb", "nn", "sv", "en"}, path
        assert plan.missing_labels() == [], path
