"""The `guidance` command: coordinators start periods and invite owners to national gatherings; advisers
record milestones and agree meetings; everyone reads where a period stands.

    guidance start --cohort 2027 --owner 3301 --adviser a.hansen --adviser b.olsen --start-date 2027-01-04
    guidance milestone --cohort 2027 --owner 3301 mapping_done --adviser a.hansen --note "data reviewed"
    guidance meeting --cohort 2027 --owner 3301 --kind follow_up --date 2027-03-02 --adviser a.hansen
    guidance cancel-meeting --cohort 2027 --owner 3301 --meeting-id m1 --adviser a.hansen [--reason "..."]
    guidance withdraw --cohort 2027 --owner 3301 --reason "merged municipality" --by k.nilsen
    guidance advisers --cohort 2027 --owner 3301 a.hansen,c.berg --by k.nilsen [--reason "..."]
    guidance status --cohort 2027 --owner 3301 [--json]                 (those above: starter.period_cli)
    guidance owners drammen                                            (starter.period_cli)
    guidance setup                                                     (starter.setup_cli)
    guidance select --indicators indicators.csv [--format table|csv|json] [--top 30]   (starter.select_cli)
    guidance cohort start|answer|gathering|network-meeting|show ...   (starter.cohort_cli)
    guidance contact set|show|clear --cohort 2027 --owner 3301 ...     (starter.contact_cli)
    guidance assessment start|record|status ...                       (starter.assessment_cli)
    guidance plan list|show NAME|check FILE...                        (starter.plan_cli)
    guidance competence list|check|propose|contacted|agreed ...      (starter.competence_cli)

This module is the root of the command alone: its options, the list of commands (`COMMANDS`) and the console
script. A command's module, with Temporal's SDK, pydantic, rich and the read model behind it, is imported only
when that command runs, so `guidance --help` and a mistyped command answer at once (issue 21: a person feels
two seconds of imports on every call). `tests/starter/test_cli_imports.py` keeps it so.

The command reaches Temporal as Temporal's environment configuration says (`TEMPORAL_ADDRESS`, ...; see
`starter.connect`). A person's mistake is reported in a line or two on stderr, never as a traceback, with
the exit codes of `commands.EXIT_CODES`. What every command group shares is in `starter.commands`.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand

from language.current import N_
from starter import commands
from starter.localized import LocalizedGroup, translate_help, typer_app

#: The whole command (`app`) and its console script (`main`).
__all__ = ["COMMANDS", "app", "main"]


@dataclass(frozen=True)
class Listed:
    """A command (or command group) of `guidance`: its name, the module that defines it, and its help.

    The module defines the command on a Typer app of its own named `app` (a group's `app` carries the group's
    name), without help: the help is written here, once, because `guidance --help` lists it without importing
    the module.
    """

    name: str
    module: str
    help: str


#: Every command of `guidance`, in the order `guidance --help` lists them.
COMMANDS = (
    Listed(
        "start",
        "starter.period_cli",
        N_("Start a school owner's guidance period in a cohort (name, kind and county come from the owner list)."),
    ),
    Listed(
        "milestone",
        "starter.period_cli",
        N_("Record a milestone: it closes the current phase and the period moves on."),
    ),
    Listed(
        "meeting",
        "starter.period_cli",
        N_("Agree a meeting with the school owner and its schools, or move one (--meeting-id)."),
    ),
    Listed(
        "cancel-meeting",
        "starter.period_cli",
        N_("Cancel a meeting that lies ahead; its invitation is withdrawn from the advisers' calendars."),
    ),
    Listed("withdraw", "starter.period_cli", N_("Withdraw the owner from the programme before the period's end.")),
    Listed(
        "advisers",
        "starter.period_cli",
        N_("Give the period other advisers (the whole list); who may open it in the web app follows at once."),
    ),
    Listed("gathering", "starter.period_cli", N_("Invite the school owner to a national gathering (faglig samling).")),
    Listed("status", "starter.period_cli", N_("Show where a period stands.")),
    Listed("owners", "starter.period_cli", N_("Find school owners by name, to learn their official numbers.")),
    Listed(
        "setup",
        "starter.setup_cli",
        N_(
            "Register the engine's search attributes on the namespace (TEMPORAL_NAMESPACE), "
            "safe to run again; show the "
            "worker deployment's versions and the steps of a rollout "
            "(GUIDANCE_DEPLOYMENT_NAME)."
        ),
    ),
    Listed(
        "select",
        "starter.select_cli",
        N_(
            "Propose school owners for guidance from indicator data: a ranked shortlist with "
            "the reasons.\n"
            "\n"
            "No Temporal server is needed: this reads the file, scores it and prints the "
            "proposal; a coordinator decides."
        ),
    ),
    Listed(
        "assessment",
        "starter.assessment_cli",
        N_("The county governors' assessment of a cohort's spread-track owners: ask for it, record it, show it."),
    ),
    Listed(
        "cohort",
        "starter.cohort_cli",
        N_("Cohorts (puljer): start one from the shortlist, pass on answers, plan gatherings, show it."),
    ),
    Listed(
        "competence",
        "starter.competence_cli",
        N_("Competence environments: the register, and proposing, contacting and agreeing with one in a period."),
    ),
    Listed(
        "contact",
        "starter.contact_cli",
        N_("The school owner's contact person of a period: set it, clear it, show it."),
    ),
    Listed("plan", "starter.plan_cli", N_("Programme plans: list them, show one, check plan files.")),
    Listed(
        "report",
        "starter.report_cli",
        N_(
            "Reports from the record store: a cohort's progress as HTML, PDF, PNG and CSV files, and its owners' "
            "outcomes beside a later indicator file."
        ),
    ),
)


class GuidanceGroup(LocalizedGroup):
    """The `guidance` command: its help in the environment's language, ending with the exit codes.

    Its commands are stand-ins (name and help) until one is run: `resolve_command`, which Click calls for the
    command named on the command line alone, swaps that one for the real command from its module.
    """

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        for listed in COMMANDS:
            self.add_command(TyperCommand(listed.name, help=listed.help))

    def localize(self) -> None:
        super().localize()
        self.epilog = commands.exit_codes_help()

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args:
            self._load(args[0])
        return super().resolve_command(ctx, args)

    def _load(self, name: str) -> None:
        listed = next((c for c in COMMANDS if c.name == name), None)
        if listed is None:
            return  # Click says the command does not exist
        defined = typer.main.get_group(importlib.import_module(listed.module).app)
        # A group's module defines the group (named as listed); the period's module several commands, unnamed.
        command = defined if defined.name == name else defined.commands[name]
        command.help = listed.help
        translate_help(command)  # the run's language, as `localize` translated the stand-ins
        self.add_command(command, name)


app: typer.Typer = typer_app(
    name="guidance",
    cls=GuidanceGroup,
    help=N_("Guidance periods of the guidance corps (Veilederkorpset) on Temporal."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


#: The level the console script logs at (`main` sets it); a test's `CliRunner` leaves it unset and keeps pytest's
#: logging unless it asks for --verbose.
_log_level: int | None = None


@app.callback()
def _options(
    ctx: typer.Context,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help=N_("Seconds to wait for the period's answer."))
    ] = 30.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=N_("Log what is sent to Temporal."))] = False,
) -> None:
    # Here and not in `main`: logging (structlog, Temporal's SDK) is set up for a command that runs, never for
    # `guidance --help`.
    level = logging.INFO if verbose else _log_level
    if level is not None:
        from starter.logs import configure_logging

        configure_logging(level=level)
    ctx.obj = commands.Settings(answer_timeout=timedelta(seconds=timeout))


def main() -> None:
    """The console script `guidance`."""
    global _log_level
    _log_level = logging.WARNING
    try:
        app()
        code = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            code = 1
    # A short-lived client process may abort in interpreter teardown, when the SDK's Rust threads outlive
    # it ("Fatal Python error: PyGILState_Release", exit 134; temporalio/sdk-python#300). Everything is
    # done and written by now, so the teardown is skipped.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
