"""`guidance competence`: the register of competence environments, and a period's use of them.

    guidance competence list [--area AREA]             the register (config/data/competence_environments.toml)
    guidance competence check [FILE...]                check register files (the shipped one when none is given)
    guidance competence propose ENV --cohort 2027 --owner 3301 --adviser a.hansen [--date D] [--note TEXT]
    guidance competence contacted ENV ...              the owner has contacted it (same options)
    guidance competence agreed ENV ...                 the owner and it have agreed (same options)

The three steps send `record_competence_environment` with the environment as the register has it; the period says
whether it serves its development area and whether the step follows the last one (docs/temporal-contract.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from config.competence import (
    REGISTER_FILE,
    RegisterFileError,
    UnknownEnvironment,
    competence_register,
    environment_by_id,
    load_register_file,
    plan_areas,
)
from domain.competence import CompetenceEnvironment, in_cycle
from domain.models import CompetenceEnvironmentEntry, CompetenceState, PeriodStatus, RecordCompetenceEnvironment
from language.current import N_, ngettext
from language.current import gettext as _
from readmodel.labels import competence_state_label, environment_kind_label
from starter import client as api
from starter import commands
from starter.commands import AdviserOption, CohortOption, JsonOption, OwnerOption, WorkflowIdOption
from starter.localized import typer_app

app = typer_app(
    name="competence",
    no_args_is_help=True,
)

EnvironmentArgument = Annotated[
    str, typer.Argument(metavar="ENV", help=N_("The environment's id in the register, e.g. lesesenteret."))
]
DateOption = Annotated[
    str | None,
    typer.Option("--date", help=N_("The day it happened, YYYY-MM-DD (default: today)."), show_default=False),
]
NoteOption = Annotated[str, typer.Option("--note", help=N_("A short note (at most 1000 characters)."))]


@app.command("list", help=N_("The register: each environment, its kind, the development areas it serves, its contact."))
def list_environments(
    area: Annotated[
        str | None,
        typer.Option("--area", help=N_("Only those serving this development area, e.g. basic_skills.")),
    ] = None,
) -> None:
    with commands.reported():
        register = _register()
        if area is not None and area not in plan_areas():
            known = ", ".join(sorted(plan_areas()))
            raise commands.Mistake(
                _("--area: %(area)r is not a development area of any plan; known: %(known)s")
                % {"area": area, "known": known},
                commands.EXIT_USAGE,
            )
        chosen = [e for e in register if area is None or e.serves(area)]
        table = Table(box=box.SIMPLE_HEAD, title=_("Competence environments"))
        table.add_column(_("id"), no_wrap=True)
        table.add_column(_("environment"))
        for e in chosen:
            contact = ", ".join(c for c in (e.contact.web, e.contact.email, e.contact.phone) if c)
            facts = _("%(kind)s; development areas: %(areas)s") % {
                "kind": environment_kind_label(e.kind),
                "areas": ", ".join(e.areas),
            }
            table.add_row(e.id, Text("\n".join((e.name, facts, contact))))
        commands.console().print(table)


@app.command(help=N_("Check register files: each fault names the row, the field and what is allowed."))
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[FILE...]", help=N_("Register files (default: the shipped one)."), show_default=False),
    ] = None,
) -> None:
    bad = 0
    for path in files or [REGISTER_FILE]:
        try:
            register = load_register_file(path)
        except RegisterFileError as error:
            bad += 1
            for problem in error.problems:
                typer.echo(problem, err=True)
            continue
        count = ngettext("%(count)s environment", "%(count)s environments", len(register)) % {"count": len(register)}
        typer.echo(_("%(path)s: ok: %(count)s") % {"path": path, "count": count})
    if bad:
        raise typer.Exit(commands.EXIT_REJECTED)


def _step(
    ctx: typer.Context,
    state: CompetenceState,
    environment_id: str,
    adviser: str,
    cohort: str | None,
    owner: str | None,
    workflow_id: str | None,
    day: str | None,
    note: str,
    as_json: bool,
) -> None:
    # Imported here: starter.period_cli imports this group, and the period's options are read as its commands read
    # them.
    from starter.period_cli import _show

    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        try:
            environment = environment_by_id(environment_id)
        except UnknownEnvironment as error:
            raise commands.Mistake(
                _("unknown competence environment %(id)r") % {"id": error.environment_id},
                commands.EXIT_USAGE,
                hint="guidance competence list",
            ) from None
        request = commands.build(
            RecordCompetenceEnvironment,
            {"environment": "ENV", "adviser": "--adviser", "date": "--date", "note": "--note"},
            environment=environment.ref(),
            state=state,
            adviser=adviser,
            date=commands.parse_date(day, "--date") if day else None,
            note=note,
        )
        status = commands.run(ctx, target, lambda client: api.record_competence_environment(client, target, request))
        headline = _("%(environment)s: %(state)s.") % {
            "environment": environment.name,
            "state": competence_state_label(state),
        }
        _show(status, as_json, headline)


@app.command(help=N_("Propose an environment serving the period's development area to the owner."))
def propose(
    ctx: typer.Context,
    environment: EnvironmentArgument,
    adviser: AdviserOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    day: DateOption = None,
    note: NoteOption = "",
    as_json: JsonOption = False,
) -> None:
    _step(ctx, "proposed", environment, adviser, cohort, owner, workflow_id, day, note, as_json)


@app.command(help=N_("Record that the owner has contacted a proposed environment."))
def contacted(
    ctx: typer.Context,
    environment: EnvironmentArgument,
    adviser: AdviserOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    day: DateOption = None,
    note: NoteOption = "",
    as_json: JsonOption = False,
) -> None:
    _step(ctx, "contacted", environment, adviser, cohort, owner, workflow_id, day, note, as_json)


@app.command(help=N_("Record that the owner and a contacted environment have agreed on support."))
def agreed(
    ctx: typer.Context,
    environment: EnvironmentArgument,
    adviser: AdviserOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    day: DateOption = None,
    note: NoteOption = "",
    as_json: JsonOption = False,
) -> None:
    _step(ctx, "agreed", environment, adviser, cohort, owner, workflow_id, day, note, as_json)


def _register() -> tuple[CompetenceEnvironment, ...]:
    try:
        return competence_register()
    except RegisterFileError as error:
        raise commands.Mistake(
            "\n".join(error.problems), commands.EXIT_USAGE, hint="guidance competence check"
        ) from None


def status_lines(status: PeriodStatus) -> Text:
    """The current cycle's environments for `guidance status`: where each stands and since when."""
    lines = [_entry_line(e) for e in in_cycle(status.competence_environments, status.cycle)]
    return Text("\n".join(lines) or "-")


def _entry_line(entry: CompetenceEnvironmentEntry) -> str:
    last = entry.steps[-1]
    line = _("%(environment)s: %(state)s %(date)s by %(adviser)s") % {
        "environment": entry.name,
        "state": competence_state_label(entry.state),
        "date": last.date.isoformat(),
        "adviser": last.adviser,
    }
    return f"{line}: {last.note}" if last.note else line
