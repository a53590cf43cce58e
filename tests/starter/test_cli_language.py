"""The `guidance` command speaks the language of the POSIX locale variables: its help, its tables and lines,
its errors. No Temporal server is needed: the commands here read the plan files and the owner list.

The suite runs in en_GB by default (tests/conftest.py); each test here names its locale in the environment the
command runs in, as a shell would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from language import DEFAULT
from language.current import current_language
from starter import cli, commands

ROOT = Path(__file__).parents[2]
FLAGSHIP = ROOT / "plans" / "veilederkorpset.toml"


def guidance(*args: str, **environment: str) -> Result:
    return CliRunner().invoke(cli.app, list(args), env=environment)


#: Per locale: a line of `guidance --help`, its `status` command's help, the exit codes' heading.
HELP = {
    "nb": ("Veiledningsperioder i Veilederkorpset på Temporal.", "Vis hvor en periode står.", "Avslutningskoder: 1"),
    "nn": ("Rettleiingsperiodar i Veilederkorpset på Temporal.", "Vis kvar ein periode står.", "Avslutningskodar: 1"),
    "sv": ("i vägledarkåren (Veilederkorpset) på Temporal.", "Visa var en period står.", "Slutkoder: 1"),
    "en": ("Guidance periods of the guidance corps", "Show where a period stands.", "Exit codes: 1"),
}
#: Per locale: how `guidance plan show` starts its caption, and how `plan check` counts phases and months.
PLAN = {
    "nb": ("høyst 30 måneder; virkedager i NO", "6 faser, 30 måneder"),
    "nn": ("høgst 30 månader; vyrkedagar i NO", "6 fasar, 30 månader"),
    "sv": ("högst 30 månader; arbetsdagar i NO", "6 faser, 30 månader"),
    "en": ("30 months at most; NO working days", "6 phases, 30 months"),
}
#: The locale variables a person would set for each language (Swedish through LC_ALL, over the suite's LANG).
LOCALE = {
    "nb": {"LANG": "nb_NO.UTF-8"},
    "nn": {"LANG": "nn_NO.UTF-8"},
    "sv": {"LC_ALL": "sv_SE.UTF-8"},
    "en": {"LANG": "en_GB.UTF-8"},
}


@pytest.mark.parametrize("language", list(HELP))
def test_help_is_in_the_language_of_the_locale(language: str) -> None:
    result = guidance("--help", **LOCALE[language])

    assert result.exit_code == 0, result.output
    for line in HELP[language]:
        assert line in result.stdout
    others = [HELP[other][1] for other in HELP if other != language]
    assert not any(line in result.stdout for line in others)


def test_the_help_lists_each_command_with_the_whole_first_sentence_of_its_help() -> None:
    result = guidance("--help", LANG="en_GB.UTF-8")

    listed = " ".join(result.stdout.split())  # as one line: the help wraps the sentence
    assert (
        "report Reports from the record store: a cohort's progress as HTML, PDF, PNG and CSV files, and its owners' "
        "outcomes beside a later indicator file. " in listed
    )
    # The first sentence only: the rest of the command's help is for `guidance select --help`.
    assert (
        "select Propose school owners for guidance from indicator data: a ranked shortlist with the reasons. " in listed
    )
    assert "No Temporal server is needed" not in listed


def test_the_help_of_a_command_and_its_options_is_translated() -> None:
    result = guidance("plan", "show", "--help", LANG="nn_NO.UTF-8")

    assert result.exit_code == 0, result.output
    assert "Éin plan slik ein periode som blir starta no, ville fått han." in result.stdout
    assert "Planen, t.d. rektorutdanning." in result.stdout
    # Option and command names stay as they are.
    assert "--json" in result.stdout
    assert "show" in result.stdout


@pytest.mark.parametrize("language", list(PLAN))
def test_plan_show_and_check_speak_the_language_of_the_locale(language: str) -> None:
    shown = guidance("plan", "show", "veilederkorpset", **LOCALE[language])
    checked = guidance("plan", "check", str(FLAGSHIP), **LOCALE[language])

    assert shown.exit_code == 0, shown.output
    assert PLAN[language][0] in shown.stdout
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip() == f"{FLAGSHIP}: ok: veilederkorpset 2026.2, {PLAN[language][1]}"


def test_machine_readable_output_is_the_same_in_every_language() -> None:
    outputs = {
        language: guidance("plan", "show", "veilederkorpset", "--json", **LOCALE[language]) for language in LOCALE
    }

    assert all(result.exit_code == 0 for result in outputs.values())
    documents = {language: json.loads(result.stdout) for language, result in outputs.items()}
    assert documents["nb"] == documents["nn"] == documents["sv"] == documents["en"]


def test_a_mistake_is_reported_in_the_language_of_the_locale() -> None:
    bokmal = guidance("owners", "zzzz", LANG="nb_NO.UTF-8")
    swedish = guidance("plan", "show", "made-up", LC_ALL="sv_SE.UTF-8")

    assert bokmal.exit_code == commands.EXIT_USAGE
    assert bokmal.stderr.strip() == "feil: ingen skoleeiers navn inneholder 'zzzz'"
    assert swedish.exit_code == commands.EXIT_USAGE
    assert swedish.stderr.startswith("fel: plan: 'made-up' är ingen programplan; kända planer: ")
    assert "tips: guidance plan list" in swedish.stderr


def test_a_c_locale_gives_the_default_bokmal() -> None:
    result = guidance("plan", "check", str(FLAGSHIP), LANG="C.UTF-8")

    assert result.stdout.strip().endswith("6 faser, 30 måneder")


def test_the_language_of_a_run_ends_with_it() -> None:
    guidance("plan", "check", str(FLAGSHIP), LC_ALL="sv_SE.UTF-8")

    assert current_language() == DEFAULT


def test_the_console_script_speaks_nynorsk_under_lang_nn(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("guidance")
    environment = {**os.environ, "LANG": "nn_NO.UTF-8", "COLUMNS": "200"}

    helped = subprocess.run(
        [script, "--help"], env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    shown = subprocess.run(
        [script, "plan", "show", "veilederkorpset"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert helped.returncode == 0, helped.stderr
    assert "Rettleiingsperiodar i Veilederkorpset på Temporal." in helped.stdout
    assert "Avslutningskodar: 1" in helped.stdout
    assert shown.returncode == 0, shown.stderr
    assert PLAN["nn"][0] in shown.stdout
