"""`guidance select`: the shortlist as a table, CSV and JSON; bad input is a message and an exit code."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from starter import cli, commands, progress
from tests.helpers.terminal import CLEARED, run_with_terminal_stderr
from tests.selection.helpers import org_numbers

# Owner 1101 (Eigersund) is bad in every year, 3301 (Drammen) in one, 4601 (Bergen) in none but one of its
# two schools is among the worst; the counts come from the small configuration below.
CONFIG = """
[selection]
top = 2
spread_track = 1
spread_level = 0.5
years = 3

[indicators.nt5_reading_level1]
label = "Reading level 1, grade 5"
higher_is_worse = true
national_limit = 24.0
absolute_limit = 34.0

[indicators.grunnskolepoeng]
label = "Grunnskolepoeng"
higher_is_worse = false
national_limit = 41.5
absolute_limit = 38.0
weight = 3
"""


def indicator_file() -> str:
    bad, good = org_numbers()[0], org_numbers()[1]
    lines = ["enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi"]
    for year in ("2022-23", "2023-24", "2024-25"):
        lines.append(f"kommune;1101;1101;grunnskolepoeng;{year};36,5")
        lines.append(f"kommune;3301;3301;grunnskolepoeng;{year};{'40,0' if year == '2024-25' else '42,0'}")
        lines.append(f"kommune;3301;3301;nt5_reading_level1;{year};{'*' if year == '2023-24' else '20,0'}")
        lines.append(f"kommune;4601;4601;grunnskolepoeng;{year};43,0")
        lines.append(f"skole;{bad};4601;nt5_reading_level1;{year};40,0")
        lines.append(f"skole;{good};4601;nt5_reading_level1;{year};10,0")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    data, config = tmp_path / "ind.csv", tmp_path / "selection.toml"
    data.write_text(indicator_file(), encoding="utf-8")
    config.write_text(CONFIG, encoding="utf-8")
    return data, config


def run(*args: str, columns: int = 200) -> Result:
    result = CliRunner().invoke(cli.app, ["select", *args], env={"COLUMNS": str(columns)})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_table_names_owners_shares_missing_values_and_reasons(files: tuple[Path, Path]) -> None:
    data, config = files
    result = run("--indicators", str(data), "--config", str(config))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = next(line for line in lines if "1101 Eigersund" in line)
    assert "100.0%" in first and "27/27" in first and " rank " in first
    second = next(line for line in lines if "3301 Drammen" in line)
    # Drammen: grunnskolepoeng 40,0 in 2024-25 is worse than national: 3 points of 3 x 9 weighted + 2 x 3 for
    # reading, whose suppressed 2023-24 is missing and adds no possible points.
    assert "9.1%" in second and "3/33" in second and "   1   " in second
    assert "Grunnskolepoeng +3 (2024-25)" in second
    spread = next(line for line in lines if "4601 Bergen" in line)
    assert "spread" in spread and "0.0%" in spread
    assert org_numbers()[0] in result.output
    assert "they lower the possible points" in result.output


def test_at_80_columns_each_reason_keeps_its_line_under_its_owner(files: tuple[Path, Path]) -> None:
    data, config = files
    result = run("--indicators", str(data), "--config", str(config), columns=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    owner = next(i for i, line in enumerate(lines) if "3301 Drammen" in line)
    assert "9.1%, 3/33, 1 missing, rank" in lines[owner]
    assert "Grunnskolepoeng +3 (2024-25)" in lines[owner + 1]
    spread = next(line for line in lines if "4601 Bergen" in line)
    assert "spread" in spread


def test_csv_and_json_carry_the_same_facts(files: tuple[Path, Path]) -> None:
    data, config = files
    as_csv = run("--indicators", str(data), "--config", str(config), "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(r["rank"], r["owner_id"], r["track"], r["missing"]) for r in rows] == [
        ("1", "1101", "rank", "0"),
        ("2", "3301", "rank", "1"),
        ("3", "4601", "spread", "0"),
    ]
    assert rows[2]["worst_schools"] == org_numbers()[0]
    as_json = run("--indicators", str(data), "--config", str(config), "--format", "json", "--top", "1")
    document = json.loads(as_json.output)
    assert [(s["assessment"]["owner_id"], s["owner_name"]) for s in document["selected"]] == [
        ("1101", "Eigersund"),
        ("4601", "Bergen"),
    ]
    assert document["window"] == ["2022-23", "2023-24", "2024-25"]
    assert document["ties_at_cut"] == []


def test_a_bad_row_is_a_message_with_line_and_column_and_exit_1(files: tuple[Path, Path]) -> None:
    data, config = files
    data.write_text(indicator_file().replace("43,0", "høy", 1), encoding="utf-8")
    result = run("--indicators", str(data), "--config", str(config))
    assert result.exit_code == commands.EXIT_REJECTED
    assert f"error: {data}: line 5, column verdi: 'høy'" in result.output.replace("\n", " ")


def test_an_unknown_owner_and_a_bad_configuration_exit_1(files: tuple[Path, Path]) -> None:
    data, config = files
    data.write_text(indicator_file().replace("kommune;1101;1101", "kommune;1199;1199"), encoding="utf-8")
    result = run("--indicators", str(data), "--config", str(config))
    assert result.exit_code == commands.EXIT_REJECTED
    assert "'1199' is no school owner" in result.output
    config.write_text(CONFIG.replace("absolute_limit = 38.0", "absolute_limit = 45.0"), encoding="utf-8")
    result = run("--indicators", str(data), "--config", str(config))
    assert result.exit_code == commands.EXIT_REJECTED
    assert "must not be above national_limit" in result.output


def test_a_missing_file_or_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run("--indicators", str(tmp_path / "absent.csv"))
    assert result.exit_code == commands.EXIT_USAGE
    assert "does not exist" in result.output
    result = run("--indicators", str(tmp_path), "--format", "xml")
    assert result.exit_code == commands.EXIT_USAGE


# --- progress -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["table", "csv", "json"])
def test_without_a_terminal_no_progress_is_drawn(files: tuple[Path, Path], output: str) -> None:
    data, config = files
    result = run("--indicators", str(data), "--config", str(config), "--format", output)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


@pytest.mark.parametrize("output", ["table", "csv", "json"])
def test_on_a_terminal_the_progress_goes_to_stderr_and_stdout_is_unchanged(
    files: tuple[Path, Path], output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, config = files
    args = ("--indicators", str(data), "--config", str(config), "--format", output)
    plain = run(*args)
    monkeypatch.setattr(progress, "stderr_console", lambda: Console(stderr=True, force_terminal=True, width=100))

    watched = run(*args)

    assert watched.exit_code == 0, watched.output
    assert watched.stdout == plain.stdout
    assert "Reading and checking ind.csv" in watched.stderr
    assert "Scoring 3 school owners (18 values)" in watched.stderr
    assert watched.stderr.endswith(CLEARED), "the bars are gone before the shortlist prints"


def test_at_a_real_terminal_the_table_reads_as_without_one(files: tuple[Path, Path]) -> None:
    data, config = files
    command = [sys.executable, "-m", "starter", "select", "--indicators", str(data), "--config", str(config)]
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)

    piped = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=60)
    watched = run_with_terminal_stderr(command, env)

    assert (piped.returncode, watched.returncode) == (0, 0), piped.stderr + watched.terminal
    assert piped.stderr == ""
    assert watched.stdout == piped.stdout and "1101 Eigersund" in watched.stdout
    assert "Scoring 3 school owners" in watched.terminal
