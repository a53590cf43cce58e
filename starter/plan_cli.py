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
from language.current import N_, ngettext
from language.current import gettext as _
from starter import commands, explained
from starter.localized import typer_app

app = typer_app(
    name="plan",
    no_args_is_help=True,
)


@app.command(
    "list", help=N_("Every plan in the plans folder, with its version, length, phases and recurring meeting series.")
)
def list_plans() -> None:
    console = commands.console()
    folder = AppSettings().plans_dir
    names = known_plans()
    if not names:
        commands.fail(_("no plan files (*.toml) in %(folder)s") % {"folder": folder}, commands.EXIT_USAGE)
    table = Table(box=box.SIMPLE_HEAD, title=_("Programme plans in %(folder)s") % {"folder": folder})
    _columns(table, (N_("plan"), N_("version"), N_("title"), N_("months"), N_("calendar"), N_("phases"), N_("series")))
    problems: list[str] = []
    for name in names:
        try:
            plan = resolve_plan(name)
        except InvalidPlanSettings as error:
            problems.append(str(error))
            table.add_row(name, "-", Text(_("invalid: see below"), style="red"), "-", "-", "-", "-")
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


@app.command(help=N_("One plan as a period started now would get it."))
def show(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help=N_("The plan, e.g. rektorutdanning."), show_default=False)
    ],
    as_json: commands.JsonOption = False,
) -> None:
    try:
        plan = resolve_plan(name)
    except UnknownPlan as error:
        commands.fail(explained.unknown_plan(error.name), commands.EXIT_USAGE, hint="guidance plan list")
    except InvalidPlanSettings as error:
        commands.fail(str(error), commands.EXIT_USAGE, hint="guidance plan list")
    if as_json:
        typer.echo(json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    commands.console().print(plan_table(plan), *_meetings_table(plan))


@app.command(help=N_("Validate plan files: each fault names the file, the field path and what is allowed."))
def check(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help=N_("Plan files to check."), show_default=False)
    ],
) -> None:
    bad = 0
    for path in files:
        try:
            plan = load_plan_file(path)
        except PlanFileError as error:
            bad += 1
            for problem in error.problems:
                typer.echo(problem, err=True)
            continue
        facts = {"path": path, "plan": plan.name, "version": plan.version, "months": plan.max_months}
        phases = ngettext("%(count)s phase", "%(count)s phases", len(plan.phases)) % {"count": len(plan.phases)}
        typer.echo(_("%(path)s: ok: %(plan)s %(version)s, %(phases)s, %(months)s months") % {**facts, "phases": phases})
    if bad:
        raise typer.Exit(commands.EXIT_REJECTED)


def plan_table(plan: ProgrammePlan) -> Table:
    """The plan's phases, in order, with what closes each."""
    if plan.allows_new_cycle:
        cycles = _("new cycle while %(months)s months remain") % {"months": plan.new_cycle_min_months}
    else:
        cycles = _("no new cycles")
    limits = _(
        "%(months)s months at most; %(country)s working days, %(timezone)s; %(cycles)s; reminder %(reminder)s "
        "working days after a due date, escalation %(escalation)s weeks later; meeting gap %(gap)s weeks."
    ) % {
        "months": plan.max_months,
        "country": plan.calendar_country,
        "timezone": plan.timezone,
        "cycles": cycles,
        "reminder": plan.reminder_delay_days,
        "escalation": plan.escalation_delay_weeks,
        "gap": plan.meeting_gap_weeks,
    }
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"{plan.title or plan.name} ({plan.name} {plan.version})",
        caption=f"{limits} {plan.source}",
    )
    # A plan that warns before a deadline (`at_risk_share`) shows when, as a share of each phase's time.
    warns = (N_("at risk after"),) if plan.warns_at_risk else ()
    _columns(table, ("#", N_("phase"), N_("title"), N_("weeks"), N_("closed by"), N_("records"), *warns))
    for number, phase in enumerate(plan.phases, start=1):
        optional = " " + _("(optional)") if phase.optional else ""
        share = plan.at_risk_share_of(phase.phase)
        warning = (f"{share:.0%}" if share is not None else "-",) if warns else ()
        table.add_row(
            str(number),
            phase.phase + optional,
            phase.title,
            str(phase.expected_weeks),
            phase.closing_milestone,
            phase.records or "",
            *warning,
        )
    return table


def _meetings_table(plan: ProgrammePlan) -> list[Table]:
    if not plan.meetings:
        return []
    table = Table(box=box.SIMPLE_HEAD, title=_("Recurring meetings and gatherings, proposed on working days"))
    _columns(table, (N_("id"), N_("kind"), N_("title"), N_("cadence"), N_("first after"), N_("time"), N_("who")))
    for m in plan.meetings:
        cadence = [_cadence(m.every_weeks, m.every_months)]
        if m.weekday:
            cadence.append(_("on %(weekday)s") % {"weekday": m.weekday})
        if m.skip_months:
            cadence.append(_("not in month %(months)s") % {"months": ", ".join(map(str, m.skip_months))})
        if m.until_months:
            cadence.append(_("for %(months)s months") % {"months": m.until_months})
        table.add_row(
            m.id,
            m.kind,
            m.title,
            ", ".join(cadence),
            _("%(weeks)s weeks") % {"weeks": m.first_after_weeks},
            _("%(start)s, %(minutes)s min") % {"start": f"{m.start:%H:%M}", "minutes": m.duration_minutes},
            m.who,
        )
    return [table]


def _columns(table: Table, headers: tuple[str, ...]) -> None:
    """The columns of a table, headed in the current language (the headers are the English msgids)."""
    for header in headers:
        table.add_column(_(header), no_wrap=header in ("plan", "phase", "id", "closed by"))


def _cadence(every_weeks: int | None, every_months: int | None) -> str:
    if every_weeks is not None:
        if every_weeks == 1:
            return _("weekly")
        return _("every %(count)s weeks") % {"count": every_weeks}
    if every_months == 1:
        return _("monthly")
    return _("every %(count)s months") % {"count": every_months}
