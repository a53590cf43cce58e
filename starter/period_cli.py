"""`guidance start|milestone|meeting|cancel-meeting|withdraw|advisers|gathering|status|owners|setup|select`: the
commands of one period, the owner list and the selection, on the root of the `guidance` command.

    guidance start --cohort 2027 --owner 3301 --adviser a.hansen --adviser b.olsen --start-date 2027-01-04
    guidance status --cohort 2027 --owner 3301 [--json]

`starter.cli` lists them with their help and imports this module when one of them runs; they follow the rest of
`guidance` (`starter.commands`): the same connection, answer timeout, messages and exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text
from temporalio.client import Client

from config.owners import find_owners, owner_by_id
from domain import calendar
from domain import period as rules
from domain.contract import TASK_QUEUE, period_workflow_id
from domain.models import (
    CancelMeeting,
    ChangeAdvisers,
    GatheringEntry,
    GatheringInvitation,
    MeetingEntry,
    MeetingKind,
    MilestoneEntry,
    PeriodInput,
    PeriodStatus,
    RecordMilestone,
    ScheduleMeeting,
    Withdraw,
)
from domain.phases import is_terminal
from language.current import N_
from language.current import gettext as _
from readmodel.labels import chosen_area_label, meeting_kind_label, milestone_facts, milestone_label, phase_label
from starter import client as api
from starter import commands, competence_cli
from starter.commands import (
    EXIT_REJECTED,
    EXIT_USAGE,
    AdviserOption,
    CohortOption,
    JsonOption,
    OwnerOption,
    WorkflowIdOption,
)
from starter.localized import typer_app

#: The commands; `starter.cli` names them on the root and gives their help.
app = typer_app()


# --- commands ---------------------------------------------------------------------------------------


@app.command("start")
def start(
    ctx: typer.Context,
    cohort: Annotated[str, typer.Option(help=N_("The cohort (pulje), e.g. 2027."), show_default=False)],
    owner: Annotated[
        str,
        typer.Option(
            help=N_("The school owner's official number (3301; 2 digits for a county authority)."), show_default=False
        ),
    ],
    adviser: Annotated[
        list[str], typer.Option("--adviser", help=N_("An adviser's user name; repeat for each adviser."))
    ],
    start_date: Annotated[
        str,
        typer.Option("--start-date", metavar="YYYY-MM-DD", help=N_("The first day of the period."), show_default=False),
    ],
    school: Annotated[
        list[str] | None, typer.Option("--school", help=N_("A school taking part; repeat for each school."))
    ] = None,
    plan: Annotated[str, typer.Option(help=N_("The programme plan."))] = "veilederkorpset",
    task_queue: commands.TaskQueueOption = TASK_QUEUE,
) -> None:
    with commands.reported():
        found = owner_by_id(owner)
        programme = api.resolve_plan(plan)
        period = commands.build(
            PeriodInput,
            {"cohort": "--cohort", "advisers": "--adviser", "start_date": "--start-date", "schools": "--school"},
            cohort=cohort,
            owner=found,
            advisers=adviser,
            start_date=commands.parse_date(start_date, "--start-date"),
            schools=school or [],
            plan=programme.name,
            programme=programme,
        )
        workflow_id = period_workflow_id(period.cohort, found.id)
        commands.run(
            ctx, workflow_id, lambda client: api.start_period(client, period, plan=programme, task_queue=task_queue)
        )
        ends_on = rules.ends_on(rules.new_state(period, programme))
        out = commands.console()
        out.print(
            Text(
                _("Started %(workflow_id)s: %(owner)s (%(owner_id)s), cohort %(cohort)s")
                % {"workflow_id": workflow_id, "owner": found.name, "owner_id": found.id, "cohort": period.cohort}
            )
        )
        out.print(
            Text(
                _("Plan %(plan)s %(version)s; %(start)s to %(end)s; advisers %(advisers)s")
                % {
                    "plan": programme.name,
                    "version": programme.version,
                    "start": period.start_date.isoformat(),
                    "end": ends_on.isoformat(),
                    "advisers": ", ".join(period.advisers),
                }
            )
        )


@app.command("milestone")
def milestone(
    ctx: typer.Context,
    milestone: Annotated[
        str, typer.Argument(help=N_("The milestone that closes the current phase (see `guidance plan show PLAN`)."))
    ],
    adviser: AdviserOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    note: Annotated[str, typer.Option(help=N_("What was done or agreed."))] = "",
    development_area: Annotated[
        str | None,
        typer.Option(
            "--development-area",
            help=N_("With development_area_chosen: e.g. basic_skills, or other."),
            show_default=False,
        ),
    ] = None,
    development_area_other: Annotated[
        str | None,
        typer.Option(
            "--development-area-other", help=N_("The core task, when the area is 'other'."), show_default=False
        ),
    ] = None,
    goal: Annotated[
        list[str] | None, typer.Option("--goal", help=N_("With goals_prioritised: a goal; repeat for each goal."))
    ] = None,
    next_cycle: Annotated[
        bool, typer.Option("--next-cycle", help=N_("With evaluation_done: start a new development cycle."))
    ] = False,
    skipped: Annotated[
        bool, typer.Option("--skipped", help=N_("Close an optional phase without doing it (e.g. a 360 evaluation)."))
    ] = False,
    partner: Annotated[
        str | None,
        typer.Option(
            "--partner",
            help=N_("With a milestone that records the support agreed: guidance_corps or expert_partner."),
            show_default=False,
        ),
    ] = None,
    partner_name: Annotated[
        str | None,
        typer.Option("--partner-name", help=N_("The expert partner's name (with expert_partner)."), show_default=False),
    ] = None,
    report_date: Annotated[
        str | None,
        typer.Option(
            "--report-date",
            help=N_("With a milestone that records a report: the day it was handed in (YYYY-MM-DD)."),
            show_default=False,
        ),
    ] = None,
    report_ref: Annotated[
        str | None,
        typer.Option(
            "--report-ref",
            help=N_("With a report: its case number (e.g. 2027/1234-5) or web address."),
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        update = commands.build(
            RecordMilestone,
            {
                "milestone": "MILESTONE",
                "adviser": "--adviser",
                "note": "--note",
                "development_area": "--development-area",
                "development_area_other": "--development-area-other",
                "goals": "--goal",
                "partner": "--partner",
                "partner_name": "--partner-name",
                "report_date": "--report-date",
                "report_ref": "--report-ref",
            },
            milestone=milestone,
            adviser=adviser,
            note=note,
            development_area=development_area,
            development_area_other=development_area_other,
            goals=goal or None,
            next_cycle=next_cycle,
            skipped=skipped,
            partner=partner,
            partner_name=partner_name,
            report_date=report_date,
            report_ref=report_ref,
        )
        status = commands.run(ctx, target, lambda client: api.record_milestone(client, target, update))
        recorded = _("Recorded %(milestone)s: %(where)s.") % {
            "milestone": milestone_label(status.plan, update.milestone),
            "where": _where(status),
        }
        _show(status, as_json, recorded)


@app.command("meeting")
def meeting(
    ctx: typer.Context,
    kind: Annotated[MeetingKind, typer.Option(help=N_("What kind of meeting."), show_default=False)],
    on: Annotated[str, typer.Option("--date", metavar="YYYY-MM-DD", help=N_("A working day."), show_default=False)],
    adviser: AdviserOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    start: Annotated[str, typer.Option("--start", metavar="HH:MM", help=N_("Starting time."))] = "09:00",
    duration: Annotated[int, typer.Option("--duration", help=N_("Length in minutes."))] = 120,
    school: Annotated[list[str] | None, typer.Option("--school", help=N_("A school taking part; repeat."))] = None,
    title: Annotated[str, typer.Option(help=N_("A title for the invitation."))] = "",
    meeting_id: Annotated[
        str | None, typer.Option("--meeting-id", help=N_("Move this meeting (e.g. m1) instead of adding one."))
    ] = None,
    as_json: JsonOption = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        request = commands.build(
            ScheduleMeeting,
            {
                "kind": "--kind",
                "date": "--date",
                "start": "--start",
                "duration_minutes": "--duration",
                "adviser": "--adviser",
                "schools": "--school",
                "title": "--title",
                "meeting_id": "--meeting-id",
            },
            kind=kind,
            date=commands.parse_date(on, "--date"),
            start=commands.parse_time(start, "--start"),
            duration_minutes=duration,
            adviser=adviser,
            schools=school or [],
            title=title,
            meeting_id=meeting_id,
        )
        status = commands.run(ctx, target, lambda client: api.schedule_meeting(client, target, request))
        facts = {
            "meeting": status.created or request.meeting_id,
            "kind": meeting_kind_label(status.plan, request.kind),
            "date": request.date.isoformat(),
            "start": f"{request.start:%H:%M}",
        }
        if request.meeting_id:
            headline = _("Moved %(meeting)s: %(kind)s on %(date)s at %(start)s.") % facts
        else:
            headline = _("Scheduled %(meeting)s: %(kind)s on %(date)s at %(start)s.") % facts
        _show(status, as_json, headline)


@app.command("cancel-meeting")
def cancel_meeting(
    ctx: typer.Context,
    meeting_id: Annotated[
        str, typer.Option("--meeting-id", help=N_("The meeting to cancel (e.g. m1)."), show_default=False)
    ],
    adviser: AdviserOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    reason: Annotated[str, typer.Option(help=N_("Why (kept in the period's audit log)."))] = "",
    as_json: JsonOption = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        request = commands.build(
            CancelMeeting,
            {"meeting_id": "--meeting-id", "adviser": "--adviser", "reason": "--reason"},
            meeting_id=meeting_id,
            adviser=adviser,
            reason=reason,
        )
        status = commands.run(ctx, target, lambda client: api.cancel_meeting(client, target, request))
        _show(status, as_json, _("Cancelled %(meeting)s.") % {"meeting": request.meeting_id})


@app.command("withdraw")
def withdraw_period(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help=N_("Why the owner leaves the programme."), show_default=False)],
    by: Annotated[str, typer.Option(help=N_("Who decided or reported it."), show_default=False)],
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    as_json: JsonOption = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        request = commands.build(Withdraw, {"reason": "--reason", "by": "--by"}, reason=reason, by=by)
        status = commands.run(ctx, target, lambda client: api.withdraw(client, target, request))
        _show(status, as_json, _("Withdrawn: %(where)s.") % {"where": _where(status)})


@app.command("advisers")
def change_advisers(
    ctx: typer.Context,
    advisers: Annotated[
        str,
        typer.Argument(
            metavar="ADVISERS", help=N_("The period's advisers from now on, separated by commas: a.hansen,b.olsen.")
        ),
    ],
    by: Annotated[str, typer.Option(help=N_("The coordinator who changes them."), show_default=False)],
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    reason: Annotated[str, typer.Option(help=N_("Why (kept in the period's audit log)."))] = "",
    as_json: JsonOption = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        named = [a.strip() for a in advisers.split(",") if a.strip()]
        request = commands.build(
            ChangeAdvisers,
            {"advisers": "ADVISERS", "by": "--by", "reason": "--reason"},
            advisers=named,
            by=by,
            reason=reason,
        )
        status = commands.run(ctx, target, lambda client: api.change_advisers(client, target, request))
        advisers_now = {"owner": _owner(status), "advisers": ", ".join(status.advisers)}
        _show(status, as_json, _("Advisers of %(owner)s: %(advisers)s.") % advisers_now)


@app.command("gathering")
def gathering(
    ctx: typer.Context,
    gathering_id: Annotated[
        str, typer.Option("--gathering-id", help=N_("The gathering's id; a repeated id moves it."), show_default=False)
    ],
    title: Annotated[str, typer.Option(help=N_("What the gathering is about."), show_default=False)],
    on: Annotated[str, typer.Option("--date", metavar="YYYY-MM-DD", help=N_("The day."), show_default=False)],
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    place: Annotated[str, typer.Option(help=N_("Where it takes place."))] = "",
    as_json: JsonOption = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        invitation = commands.build(
            GatheringInvitation,
            {"gathering_id": "--gathering-id", "title": "--title", "date": "--date", "place": "--place"},
            gathering_id=gathering_id,
            title=title,
            date=commands.parse_date(on, "--date"),
            place=place,
        )

        async def invite(client: Client) -> PeriodStatus:
            await api.invite_to_gathering(client, target, invitation)
            current = await api.period_status(client, target)
            # A period that has ended but not yet closed takes the signal and ignores it.
            if is_terminal(current.phase) and not any(g == invitation for g in _invitations(current)):
                raise commands.Mistake(
                    _("the guidance period %(period)r has ended (%(phase)s); the invitation was ignored")
                    % {"period": target, "phase": current.phase},
                    EXIT_REJECTED,
                )
            return current

        status = commands.run(ctx, target, invite)
        invited = {"owner": _owner(status), "title": invitation.title, "date": invitation.date.isoformat()}
        _show(status, as_json, _("Invited %(owner)s to %(title)s on %(date)s.") % invited)


@app.command("status")
def status(
    ctx: typer.Context,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    as_json: JsonOption = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        current = commands.run(ctx, target, lambda client: api.period_status(client, target))
        _show(current, as_json, None)


@app.command("owners")
def owners(
    text: Annotated[str, typer.Argument(help=N_("A part of the name, e.g. 'drammen' or 'fylkeskommune'."))],
) -> None:
    found = find_owners(text)
    if not found:
        commands.fail(_("no school owner's name contains %(text)r") % {"text": text}, EXIT_USAGE)
    table = Table(box=box.SIMPLE, show_edge=False)
    for column in (_("id"), _("name"), _("kind"), _("county")):
        table.add_column(column)
    for o in found:
        table.add_row(o.id, Text(o.name), o.kind.replace("_", " "), o.county)
    commands.console().print(table)


# --- printing a status --------------------------------------------------------------------------------


def _show(status: PeriodStatus, as_json: bool, headline: str | None) -> None:
    if as_json:
        typer.echo(status.model_dump_json(indent=2))
        return
    out = commands.console()
    if headline:
        out.print(Text(headline))
    out.print(status_table(status))


def status_table(status: PeriodStatus) -> Table:
    """A period's status as a two-column table for people."""
    owner = status.owner
    title = _("%(owner)s (%(owner_id)s), cohort %(cohort)s") % {
        "owner": owner.name,
        "owner_id": owner.id,
        "cohort": status.cohort,
    }
    table = Table(title=title, show_header=False, box=box.SIMPLE)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value")
    who = {"owner": owner.name, "owner_id": owner.id, "kind": owner.kind.replace("_", " "), "county": owner.county}
    reminders = _("%(reminders)s reminders, %(escalations)s escalations") % {
        "reminders": status.reminders_sent,
        "escalations": status.escalations_sent,
    }
    rows: list[tuple[str, Text]] = [
        (N_("Period"), Text(status.workflow_id)),
        (N_("Owner"), Text(_("%(owner)s (%(owner_id)s), %(kind)s, county %(county)s") % who)),
        (N_("Advisers"), Text(", ".join(status.advisers))),
        (N_("Plan"), Text(f"{status.plan} {status.plan_version}")),
        (N_("Phase"), Text(_phase(status))),
        *([(N_("Ended"), Text(status.end_reason))] if status.end_reason else []),
        (N_("Due"), _due(status)),
        (N_("Ends"), Text(_day(status.ends_at).isoformat())),
        (N_("Development area"), Text(_development_area(status))),
        (N_("Goals"), _lines(f"- {goal}" for goal in status.goals)),
        (N_("Competence environments"), competence_cli.status_lines(status)),
        (N_("Milestones"), _lines(_milestone_line(status.plan, m) for m in status.milestones)),
        (N_("Meetings"), _lines(_meeting_line(status.plan, m) for m in status.meetings)),
        (N_("Gatherings"), _lines(_gathering_line(g) for g in status.gatherings)),
        (N_("Reminders"), Text(reminders)),
    ]
    for label, value in rows:
        table.add_row(_(label), value)
    return table


def _invitations(status: PeriodStatus) -> list[GatheringInvitation]:
    return [GatheringInvitation.model_validate(g.model_dump(exclude={"received_at"})) for g in status.gatherings]


def _owner(status: PeriodStatus) -> str:
    return f"{status.owner.name} ({status.owner.id})"


def _phase(status: PeriodStatus) -> str:
    if is_terminal(status.phase):
        return phase_label(status.plan, status.phase)
    return _("%(phase)s (cycle %(cycle)s, since %(since)s)") % {
        "phase": phase_label(status.plan, status.phase),
        "cycle": status.cycle,
        "since": status.phase_started_on.isoformat(),
    }


def _where(status: PeriodStatus) -> str:
    """Where an update left the period, for the line above the table."""
    if is_terminal(status.phase):
        return _("the period of %(owner)s has ended (%(phase)s)") % {
            "owner": _owner(status),
            "phase": phase_label(status.plan, status.phase),
        }
    return _("%(owner)s is now in %(phase)s (cycle %(cycle)s)") % {
        "owner": _owner(status),
        "phase": phase_label(status.plan, status.phase),
        "cycle": status.cycle,
    }


def _due(status: PeriodStatus) -> Text:
    if status.phase_due_at is None:
        return Text("-")
    due = Text(_day(status.phase_due_at).isoformat())
    if status.overdue:
        due.append("  " + _("OVERDUE"), style="bold red")
    elif status.at_risk:
        due.append("  " + _("AT RISK"), style="bold yellow")
    return due


def _development_area(status: PeriodStatus) -> str:
    if status.development_area is None:
        return "-"
    return chosen_area_label(status.plan, status.development_area, status.development_area_other)


def _milestone_line(plan: str, entry: MilestoneEntry) -> str:
    facts = {
        "day": calendar.local_date(entry.recorded_at, commands.DISPLAY_TIMEZONE).isoformat(),
        "milestone": milestone_label(plan, entry.milestone),
        "cycle": entry.cycle,
        "adviser": entry.adviser,
        "note": entry.note,
    }
    if entry.note:
        line = _("%(day)s %(milestone)s (cycle %(cycle)s) by %(adviser)s: %(note)s") % facts
    else:
        line = _("%(day)s %(milestone)s (cycle %(cycle)s) by %(adviser)s") % facts
    recorded = milestone_facts(entry)
    return f"{line} ({recorded})" if recorded else line


def _meeting_line(plan: str, entry: MeetingEntry) -> str:
    line = _("%(meeting)s %(date)s %(start)s (%(minutes)s min) %(kind)s with %(adviser)s") % {
        "meeting": entry.meeting_id,
        "date": entry.date.isoformat(),
        "start": f"{entry.start:%H:%M}",
        "minutes": entry.duration_minutes,
        "kind": meeting_kind_label(plan, entry.kind),
        "adviser": entry.adviser,
    }
    if entry.title:
        line += f": {entry.title}"
    if entry.schools:
        line += f" [{', '.join(entry.schools)}]"
    if entry.cancelled_at is not None:
        line += " " + _("(cancelled)")
    return line


def _gathering_line(entry: GatheringEntry) -> str:
    place = f", {entry.place}" if entry.place else ""
    return f"{entry.gathering_id} {entry.date.isoformat()} {entry.title}{place}"


def _lines(lines: Iterable[str]) -> Text:
    return Text("\n".join(lines) or "-")


def _day(moment: datetime) -> date:
    """The day a deadline closes, in Norwegian time."""
    return calendar.deadline_day(moment, commands.DISPLAY_TIMEZONE)
