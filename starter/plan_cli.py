"""`guidance plan`: the programme plans the engine runs, read from their TOML files.

    guidance plan list                 every plan in the plans folder (GUIDANCE_PLANS_DIR, default plans/)
    guidance plan show NAME [--json]   one plan: phases, milestones, meetings, limits
    guidance plan check FILE...        validate plan files; each fault names the file and the field path

`check` exits with EXIT_REJECTED when a file is bad (after checking every file given), so it can guard a commit or a
deployment; `show` applies the GUIDANCE_PLAN_* overrides of the flagship, as a period started now would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from config.plan_files import PlanFileError, load_plan_file
from config.settings import AppSettings, InvalidPlanSettings, UnknownPlan, known_plans, resolve_plan
from domain.programme import ProgrammePlan
from starter import commands

app = typer.Typer(
    name="plan",
    help="Programme plans: list them, show one, check plan files.",
    no_args_is_help=True,
)
commands.app.add_typer(app)


@app.command("list")
def list_plans() -> None:
    """Every plan in the plans folder, with its version, length, phases and recurring meeting series."""
    console = commands.console()
    folder = AppSettings().plans_dir
    names = known_plans()
    if not names:
        commands.fail(f"no plan files (*.toml) in {folder}", commands.EXIT_USAGE)
    table = Table(box=box.SIMPLE_HEAD, title=f"Programme plans in {folder}")
    for column in ("plan", "version", "title", "months", "calendar", "phases", "series"):
        table.add_column(column, no_wrap=column in ("plan", "phase", "id", "closed by"))
    problems: list[str] = []
    for name in names:
        try:
            plan = resolve_plan(name)
        except InvalidPlanSettings as error:
            problems.append(str(error))
            table.add_row(name, "-", Text("invalid: see below", style="red"), "-", "-", "-", "-")
            continue
        table.add_row(
            plan.name,
            plan.version,
            plan.title,
            str(plan.max_months),
            plan.calendar_country,
            str(len(plan.phases)),
            str(len(plan.meetings)),
        )
    console.print(table)
    if problems:
        commands.fail("\n".join(problems), commands.EXIT_USAGE, hint="guidance plan check FILE")


@app.command()
def show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The plan, e.g. rektorutdanning.", show_default=False)],
    as_json: commands.JsonOption = False,
) -> None:
    """One plan as a period started now would get it."""
    try:
        plan = resolve_plan(name)
    except (UnknownPlan, InvalidPlanSettings) as error:
        commands.fail(str(error), commands.EXIT_USAGE, hint="guidance plan list")
    if as_json:
        typer.echo(json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    commands.console().print(plan_table(plan), *_meetings_table(plan))


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Plan files to check.", show_default=False)],
) -> None:
    """Validate plan files: each fault names the file, the field path and what is allowed."""
    bad = 0
    for path in files:
        try:
            plan = load_plan_file(path)
        except PlanFileError as error:
            bad += 1
            for problem in error.problems:
                typer.echo(problem, err=True)
            continue
        typer.echo(f"{path}: ok: {plan.name} {plan.version}, {len(plan.phases)} phases, {plan.max_months} months")
    if bad:
        raise typer.Exit(commands.EXIT_REJECTED)


def plan_table(plan: ProgrammePlan) -> Table:
    """The plan's phases, in order, with what closes each."""
    cycles = f"new cycle while {plan.new_cycle_min_months} months remain" if plan.allows_new_cycle else "no new cycles"
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"{plan.title or plan.name} ({plan.name} {plan.version})",
        caption=(
            f"{plan.max_months} months at most; {plan.calendar_country} working days, {plan.timezone}; {cycles}; "
            f"reminder {plan.reminder_delay_days} working days after a due date, escalation "
            f"{plan.escalation_delay_weeks} weeks later; meeting gap {plan.meeting_gap_weeks} weeks. {plan.source}"
        ),
    )
    for column in ("#", "phase", "title", "weeks", "closed by", "records"):
        table.add_column(column, no_wrap=column in ("plan", "phase", "id", "closed by"))
    for number, phase in enumerate(plan.phases, start=1):
        optional = " (optional)" if phase.optional else ""
        table.add_row(
            str(number),
            phase.phase + optional,
            phase.title,
            str(phase.expected_weeks),
            phase.closing_milestone,
            phase.records or "",
        )
    return table


def _meetings_table(plan: ProgrammePlan) -> list[Table]:
    if not plan.meetings:
        return []
    table = Table(box=box.SIMPLE_HEAD, title="Recurring meetings and gatherings, proposed on working days")
    for column in ("id", "kind", "title", "cadence", "first after", "time", "who"):
        table.add_column(column, no_wrap=column in ("plan", "phase", "id", "closed by"))
    for m in plan.meetings:
        skip = f", not in month {', '.join(map(str, m.skip_months))}" if m.skip_months else ""
        until = f", for {m.until_months} months" if m.until_months else ""
        day = f", {m.weekday}s" if m.weekday else ""
        table.add_row(
            m.id,
            m.kind,
            m.title,
            _cadence(m.every_weeks, m.every_months) + day + skip + until,
            f"{m.first_after_weeks} weeks",
            f"{m.start:%H:%M}, {m.duration_minutes} min",
            m.who,
        )
    return [table]


def _cadence(every_weeks: int | None, every_months: int | None) -> str:
    if every_weeks is not None:
        return "weekly" if every_weeks == 1 else f"every {every_weeks} weeks"
    return "monthly" if every_months == 1 else f"every {every_months} months"
