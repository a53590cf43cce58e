"""`guidance cohort`: a coordinator starts a cohort (pulje), passes on the owners' answers, plans its national
gatherings and network meetings, and reads where every owner stands.

    guidance cohort start 2027 --start-date 2027-01-04 --shortlist shortlist.csv --advisers a.hansen,b.olsen
    guidance cohort answer 2027 3301 accept --by "Statsforvalteren i Buskerud"
    guidance cohort gathering add 2027 --title "The school owner role" --date 2027-05-11 --by coordinator.udir
    guidance cohort gathering move 2027 start --date 2027-02-09 --by coordinator.udir
    guidance cohort network-meeting 2027 --network Sunnhordland --date 2027-03-02 --adviser d.lie
    guidance cohort cancel-network-meeting 2027 --network Sunnhordland --meeting-id network-1 --adviser d.lie
    guidance cohort show 2027 [--county 33] [--phase mapping] [--state invited] [--overdue] [--json]

The commands follow the rest of `guidance` (`starter.cli`): the same connection, answer timeout, messages
and exit codes. The cohort's workflow is ``cohort-{NAME}`` (`starter.cohorts`). `starter.cli` lists the group
as ``cohort``, with its help, and imports this module when it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import time as clock
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text
from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from config.owners import all_owners, owner_by_id
from domain.cohort import (
    DEFAULT_NO_REPLY_AFTER_DAYS,
    DEFAULT_REPLY_DAYS,
    CancelNetworkMeeting,
    CohortInput,
    CohortOwner,
    CohortStatus,
    Invitation,
    InvitationState,
    RespondToInvitation,
    ScheduleNetworkMeeting,
)
from domain.contract import TASK_QUEUE, cohort_workflow_id
from domain.gatherings import AddGathering, MoveGathering, NationalGathering
from domain.models import SchoolOwner
from language.current import N_, ngettext
from language.current import gettext as _
from language.formats import number
from readmodel.filters import OwnerFilter, invitation_facts
from starter import client as api
from starter import cohorts, commands, explained
from starter.cohort_files import Assignment, CohortFileError, read_assignments, read_shortlist
from starter.localized import typer_app
from starter.progress import progress_bar

#: How often `start` and `answer` ask the cohort how far its periods have come.
POLL_SECONDS = 1.0
#: How long `answer` waits for an accepted owner's period to start before saying it is starting.
ANSWER_WAIT_SECONDS = 10.0
#: How long a command waits for a cohort that is still loading its plan to answer its status query.
STARTING_WAIT_SECONDS = 10.0

app = typer_app(
    name="cohort",
    no_args_is_help=True,
)
gathering_app = typer_app(
    name="gathering",
    help=N_("National gatherings (faglige samlinger) of a cohort: add one, or move one."),
    no_args_is_help=True,
)
app.add_typer(gathering_app)

NameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help=N_("The cohort (pulje), e.g. 2027."), show_default=False)
]
ByOption = Annotated[
    str, typer.Option("--by", help=N_("Who decided it or passed it on, e.g. coordinator.udir."), show_default=False)
]
DateOption = Annotated[str, typer.Option("--date", metavar="YYYY-MM-DD", help=N_("The day."), show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help=N_("Print the cohort's status as JSON."))]


class Answer(StrEnum):
    accept = "accept"
    decline = "decline"


# --- commands ---------------------------------------------------------------------------------------


@app.command(
    help=N_(
        "Start a cohort: invite its owners through the county governor, or start their "
        "periods at once.\n"
        "\n"
        "Name the owners by exactly one of --shortlist, --owners, --all-owners, or "
        "--assign alone."
    )
)
def start(
    ctx: typer.Context,
    name: NameArgument,
    start_date: Annotated[
        str,
        typer.Option(
            "--start-date", metavar="YYYY-MM-DD", help=N_("The first day of every period."), show_default=False
        ),
    ],
    shortlist: Annotated[
        Path | None,
        typer.Option(
            "--shortlist",
            metavar="FILE",
            exists=True,
            dir_okay=False,
            readable=True,
            help=N_("The owners: the CSV of `guidance select --format csv` (its owner_id column)."),
            show_default=False,
        ),
    ] = None,
    owners: Annotated[
        list[str] | None,
        typer.Option(
            "--owners",
            metavar="IDS",
            help=N_("The owners by number, separated by commas: 3301,1103,46."),
            show_default=False,
        ),
    ] = None,
    all_owners_: Annotated[
        bool, typer.Option("--all-owners", help=N_("Every one of Norway's 371 school owners (demos and tests)."))
    ] = False,
    advisers: Annotated[
        list[str] | None,
        typer.Option(
            "--advisers",
            metavar="NAMES",
            help=N_(
                "Advisers, separated by commas, given one to each owner in turn (round-robin, in the owners' "
                "order); owners in --assign keep theirs."
            ),
            show_default=False,
        ),
    ] = None,
    assign: Annotated[
        Path | None,
        typer.Option(
            "--assign",
            metavar="FILE",
            exists=True,
            dir_okay=False,
            readable=True,
            help=N_(
                "CSV owner_id,advisers[,network,kindergarten_transition,schools] (';' between advisers); "
                "alone, it is also the list of owners."
            ),
            show_default=False,
        ),
    ] = None,
    accepted_by: Annotated[
        str | None,
        typer.Option(
            "--accepted-by",
            metavar="TEXT",
            help=N_(
                "Every owner has accepted already, as passed on by this person or office: no invitation letters, "
                "the periods start at once."
            ),
            show_default=False,
        ),
    ] = None,
    reply_days: Annotated[
        int, typer.Option("--reply-days", help=N_("Working days the owners have to answer."))
    ] = DEFAULT_REPLY_DAYS,
    no_reply_after_days: Annotated[
        int,
        typer.Option(
            "--no-reply-after-days", help=N_("Working days after the reminder before an owner is 'no_reply'.")
        ),
    ] = DEFAULT_NO_REPLY_AFTER_DAYS,
    plan: Annotated[str, typer.Option(help=N_("The programme plan of every period."))] = "veilederkorpset",
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help=N_("Show the periods starting, until every accepted one runs."))
    ] = True,
    wait_timeout: Annotated[
        float, typer.Option("--wait-timeout", min=1.0, help=N_("Seconds to wait for the periods to start."))
    ] = 300.0,
    task_queue: commands.TaskQueueOption = TASK_QUEUE,
) -> None:
    with _reported(name):
        chosen = _chosen_owners(shortlist, owners, all_owners_, assign)
        assigned = {a.owner.id: a for a in read_assignments(assign)} if assign is not None else {}
        programme = api.resolve_plan(plan)
        cohort = commands.build(
            CohortInput,
            {
                "cohort": "NAME",
                "start_date": "--start-date",
                "owners": "--shortlist/--owners/--assign",
                "reply_days": "--reply-days",
                "no_reply_after_days": "--no-reply-after-days",
            },
            cohort=name,
            start_date=commands.parse_date(start_date, "--start-date"),
            owners=_cohort_owners(chosen, assigned, _split(advisers), accepted_by),
            plan=programme.name,
            reply_days=reply_days,
            no_reply_after_days=no_reply_after_days,
        )
        workflow_id = cohort_workflow_id(cohort.cohort)
        commands.run(ctx, workflow_id, lambda client: cohorts.start_cohort(client, cohort, task_queue=task_queue))
        accepted = sum(1 for o in cohort.owners if o.accepted_by is not None)
        out = commands.console()
        out.print(
            Text(
                ngettext(
                    "Started %(workflow_id)s: %(count)s school owner, periods start %(day)s",
                    "Started %(workflow_id)s: %(count)s school owners, periods start %(day)s",
                    len(cohort.owners),
                )
                % {"workflow_id": workflow_id, "count": len(cohort.owners), "day": cohort.start_date}
            )
        )
        invited = len(cohort.owners) - accepted
        if accepted:
            out.print(
                Text(
                    _("%(count)s accepted already (by %(by)s): their periods start now")
                    % {"count": accepted, "by": accepted_by}
                )
            )
        if invited:
            out.print(
                Text(
                    _(
                        "%(count)s invited through the county governor: they answer within %(days)s working days "
                        "(`%(command)s`)"
                    )
                    % {
                        "count": invited,
                        "days": cohort.reply_days,
                        "command": f"guidance cohort answer {cohort.cohort} OWNER accept|decline --by ...",
                    }
                )
            )
        if not wait or not accepted:
            return
        status, seconds = _wait_for_periods(ctx, cohort.cohort, accepted, wait_timeout, task_queue)
        rate = status.periods_started / seconds if seconds > 0 else 0.0
        out.print(
            Text(
                ngettext(
                    "%(count)s period started in %(seconds)s s (%(rate)s per second)",
                    "%(count)s periods started in %(seconds)s s (%(rate)s per second)",
                    status.periods_started,
                )
                % {"count": status.periods_started, "seconds": number(seconds, 1), "rate": number(rate, 0)}
            )
        )
        out.print(Text(counts_line(status)))


@app.command(help=N_("Record a school owner's answer to the invitation; an acceptance starts its guidance period."))
def answer(
    ctx: typer.Context,
    name: NameArgument,
    owner_id: Annotated[str, typer.Argument(metavar="OWNER_ID", help=N_("The owner's number, e.g. 3301."))],
    reply: Annotated[Answer, typer.Argument(metavar="accept|decline", help=N_("The owner's answer."))],
    by: Annotated[
        str,
        typer.Option(
            "--by", help=N_("Who passed the answer on, e.g. 'Statsforvalteren i Vestland'."), show_default=False
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    with _reported(name):
        owner = owner_by_id(owner_id)
        request = commands.build(
            RespondToInvitation,
            {"owner_id": "OWNER_ID", "answer": "accept|decline", "by": "--by"},
            owner_id=owner.id,
            answer=reply.value,
            by=by,
        )

        async def respond(client: Client) -> CohortStatus:
            status = await cohorts.respond_to_invitation(client, name, request)
            if reply is Answer.decline:
                return status
            # The cohort starts the period right after answering; wait a moment to tell the person it runs.
            # The answer is recorded already, so a slow status only makes the message say "is starting".
            with contextlib.suppress(TimeoutError, RPCTimeoutOrCancelledError, WorkflowQueryFailedError):
                async with asyncio.timeout(ANSWER_WAIT_SECONDS):
                    while not _entry(status, owner.id).period_started:
                        await asyncio.sleep(POLL_SECONDS / 2)
                        status = await cohorts.cohort_status(client, name)
            return status

        status = commands.run(ctx, cohort_workflow_id(name), respond)
        if as_json:
            typer.echo(status.model_dump_json(indent=2))
            return
        entry = _entry(status, owner.id)
        facts = {
            "owner": entry.owner_name,
            "owner_id": entry.owner_id,
            "state": entry.state,
            "cohort": status.cohort,
            "by": by,
            "period": entry.period_workflow_id,
        }
        if reply is not Answer.accept:
            line = _("%(owner)s (%(owner_id)s) %(state)s in cohort %(cohort)s (passed on by %(by)s)") % facts
        elif entry.period_started:
            line = (
                _(
                    "%(owner)s (%(owner_id)s) %(state)s in cohort %(cohort)s (passed on by %(by)s); "
                    "its period %(period)s has started"
                )
                % facts
            )
        else:
            line = (
                _(
                    "%(owner)s (%(owner_id)s) %(state)s in cohort %(cohort)s (passed on by %(by)s); "
                    "its period %(period)s is starting"
                )
                % facts
            )
        out = commands.console()
        out.print(Text(line))
        out.print(Text(counts_line(status)))


@gathering_app.command(
    "add",
    help=N_("Add a national gathering; the owners are invited as the plan says (at once if that day has passed)."),
)
def gathering_add(
    ctx: typer.Context,
    name: NameArgument,
    title: Annotated[str, typer.Option(help=N_("What the gathering is about."), show_default=False)],
    on: DateOption,
    by: ByOption,
    place: Annotated[str, typer.Option(help=N_("Where it takes place (default: the plan's place)."))] = "",
    as_json: JsonOption = False,
) -> None:
    with _reported(name):
        request = commands.build(
            AddGathering,
            {"title": "--title", "date": "--date", "place": "--place", "by": "--by"},
            title=title,
            date=commands.parse_date(on, "--date"),
            place=place,
            by=by,
        )
        status = commands.run(
            ctx, cohort_workflow_id(name), lambda client: cohorts.add_gathering(client, name, request)
        )
        entry = next((g for g in status.gatherings if g.gathering_id == status.created), None)
        headline = _("Added the gathering")
        if entry is not None:
            headline = _("Added %(gathering)s: %(title)s on %(day)s, %(place)s; %(invitations)s") % {
                "gathering": entry.gathering_id,
                "title": entry.title,
                "day": entry.date,
                "place": entry.place,
                "invitations": _invitations(entry),
            }
        _show_gatherings(status, as_json, headline)


@gathering_app.command(
    "move", help=N_("Move a national gathering; owners already invited get the same calendar event, updated.")
)
def gathering_move(
    ctx: typer.Context,
    name: NameArgument,
    gathering_id: Annotated[
        str, typer.Argument(metavar="GATHERING_ID", help=N_("The gathering's id, as `guidance cohort show` lists it."))
    ],
    on: DateOption,
    by: ByOption,
    place: Annotated[
        str | None, typer.Option(help=N_("A new place (default: it stays where it was)."), show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    with _reported(name):
        request = commands.build(
            MoveGathering,
            {"gathering_id": "GATHERING_ID", "date": "--date", "place": "--place", "by": "--by"},
            gathering_id=gathering_id,
            date=commands.parse_date(on, "--date"),
            place=place,
            by=by,
        )
        status = commands.run(
            ctx, cohort_workflow_id(name), lambda client: cohorts.move_gathering(client, name, request)
        )
        entry = next(g for g in status.gatherings if g.gathering_id == request.gathering_id)
        headline = _(
            "Moved %(gathering)s: %(title)s on %(day)s, %(place)s (sequence %(sequence)s); %(invitations)s"
        ) % {
            "gathering": entry.gathering_id,
            "title": entry.title,
            "day": entry.date,
            "place": entry.place,
            "sequence": entry.sequence,
            "invitations": _invitations(entry),
        }
        _show_gatherings(status, as_json, headline)


@app.command(
    "cancel-network-meeting",
    help=N_("Cancel a network meeting that lies ahead; every running period of the network sends its cancellation."),
)
def cancel_network_meeting(
    ctx: typer.Context,
    name: NameArgument,
    network: Annotated[
        str, typer.Option(help=N_("The network of small owners, as --assign named it."), show_default=False)
    ],
    meeting_id: Annotated[
        str, typer.Option("--meeting-id", help=N_("The meeting to cancel (e.g. network-1)."), show_default=False)
    ],
    adviser: Annotated[str, typer.Option(help=N_("The adviser who cancels it, e.g. d.lie."), show_default=False)],
    as_json: JsonOption = False,
) -> None:
    with _reported(name):
        request = commands.build(
            CancelNetworkMeeting,
            {"network": "--network", "meeting_id": "--meeting-id", "adviser": "--adviser"},
            network=network,
            meeting_id=meeting_id,
            adviser=adviser,
        )
        status = commands.run(
            ctx, cohort_workflow_id(name), lambda client: cohorts.cancel_network_meeting(client, name, request)
        )
        if as_json:
            typer.echo(status.model_dump_json(indent=2))
            return
        members = [i for i in status.invitations if i.network == request.network and i.period_live]
        facts = {
            "meeting": request.meeting_id,
            "network": request.network,
            "count": len(members),
            "guests": ", ".join(f"{i.owner_name} ({i.owner_id})" for i in members),
        }
        line = ngettext(
            "Cancelled %(meeting)s of network %(network)s; the cancellation goes to %(count)s running period: "
            "%(guests)s",
            "Cancelled %(meeting)s of network %(network)s; the cancellation goes to %(count)s running periods: "
            "%(guests)s",
            len(members),
        )
        commands.console().print(Text(line % facts))


@app.command(
    "network-meeting", help=N_("Agree (or move) a meeting for every running period of a network of small owners.")
)
def network_meeting(
    ctx: typer.Context,
    name: NameArgument,
    network: Annotated[
        str, typer.Option(help=N_("The network of small owners, as --assign named it."), show_default=False)
    ],
    on: DateOption,
    adviser: Annotated[str, typer.Option(help=N_("The adviser who holds it, e.g. d.lie."), show_default=False)],
    start_at: Annotated[str, typer.Option("--start", metavar="HH:MM", help=N_("When it starts."))] = "09:00",
    duration: Annotated[int, typer.Option("--duration", help=N_("How long it lasts, in minutes."))] = 120,
    title: Annotated[str, typer.Option(help=N_("What it is about."))] = "",
    meeting_id: Annotated[
        str | None,
        typer.Option(
            "--meeting-id", help=N_("Move this meeting (e.g. network-1) instead of adding one."), show_default=False
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    with _reported(name):
        request = commands.build(
            ScheduleNetworkMeeting,
            {
                "network": "--network",
                "date": "--date",
                "start": "--start",
                "duration_minutes": "--duration",
                "adviser": "--adviser",
                "title": "--title",
                "meeting_id": "--meeting-id",
            },
            network=network,
            date=commands.parse_date(on, "--date"),
            start=commands.parse_time(start_at, "--start"),
            duration_minutes=duration,
            adviser=adviser,
            title=title,
            meeting_id=meeting_id,
        )
        status = commands.run(
            ctx, cohort_workflow_id(name), lambda client: cohorts.schedule_network_meeting(client, name, request)
        )
        if as_json:
            typer.echo(status.model_dump_json(indent=2))
            return
        meetings = [m for m in status.network_meetings if m.network == request.network]
        meeting = next((m for m in meetings if m.meeting_id == request.meeting_id), None) or meetings[-1]
        members = [i for i in status.invitations if i.network == request.network and i.period_live]
        facts = {
            "meeting": meeting.meeting_id,
            "network": meeting.network,
            "day": meeting.date,
            "start": f"{meeting.start:%H:%M}",
            "minutes": meeting.duration_minutes,
            "adviser": meeting.adviser,
            "count": len(members),
            "guests": ", ".join(f"{i.owner_name} ({i.owner_id})" for i in members),
        }
        if request.meeting_id:
            line = ngettext(
                "Moved %(meeting)s for network %(network)s: %(day)s %(start)s (%(minutes)s min) with %(adviser)s; "
                "sent to %(count)s running period: %(guests)s",
                "Moved %(meeting)s for network %(network)s: %(day)s %(start)s (%(minutes)s min) with %(adviser)s; "
                "sent to %(count)s running periods: %(guests)s",
                len(members),
            )
        else:
            line = ngettext(
                "Scheduled %(meeting)s for network %(network)s: %(day)s %(start)s (%(minutes)s min) with "
                "%(adviser)s; sent to %(count)s running period: %(guests)s",
                "Scheduled %(meeting)s for network %(network)s: %(day)s %(start)s (%(minutes)s min) with "
                "%(adviser)s; sent to %(count)s running periods: %(guests)s",
                len(members),
            )
        commands.console().print(Text(line % facts))


@app.command(
    help=N_(
        "Show the cohort: one row per owner (invitation, phase, due date, network), its "
        "gatherings and counts.\n"
        "\n"
        "--county, --phase, --state and --overdue/--not-overdue choose the owners shown "
        "(in --json too), by the rule the "
        "web app's cohort overview filters by (`readmodel.filters`); the counts are the "
        "whole cohort's."
    )
)
def show(
    ctx: typer.Context,
    name: NameArgument,
    county: Annotated[
        str | None,
        typer.Option("--county", metavar="NN", help=N_("Only the owners of this county."), show_default=False),
    ] = None,
    phase: Annotated[
        str | None, typer.Option("--phase", help=N_("Only the periods in this phase."), show_default=False)
    ] = None,
    state: Annotated[
        InvitationState | None,
        typer.Option("--state", help=N_("Only the owners whose invitation is in this state."), show_default=False),
    ] = None,
    overdue: Annotated[
        bool | None,
        typer.Option("--overdue/--not-overdue", help=N_("Only the overdue periods, or only those that are not.")),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    with _reported(name):
        status = commands.run(ctx, cohort_workflow_id(name), lambda client: _status(client, name))
        chosen = OwnerFilter(county=county, phase=phase, overdue=overdue, state=state)
        shown = [i for i in status.invitations if chosen.admits(invitation_facts(i))]
        if as_json:
            typer.echo(status.model_copy(update={"invitations": shown}).model_dump_json(indent=2))
            return
        out = commands.console()
        out.print(owners_table(status, shown))
        if status.gatherings:
            out.print(gatherings_table(status.gatherings))
        if status.network_meetings:
            for m in status.network_meetings:
                facts = {
                    "meeting": m.meeting_id,
                    "network": m.network,
                    "day": m.date,
                    "start": f"{m.start:%H:%M}",
                    "minutes": m.duration_minutes,
                    "adviser": m.adviser,
                    "title": m.title,
                }
                if m.cancelled_on is not None:
                    line = _("Network meeting %(meeting)s (%(network)s): %(day)s %(start)s, cancelled on %(cancelled)s")
                    facts["cancelled"] = m.cancelled_on
                elif m.title:
                    line = _(
                        "Network meeting %(meeting)s (%(network)s): %(day)s %(start)s (%(minutes)s min) with "
                        "%(adviser)s: %(title)s"
                    )
                else:
                    line = _(
                        "Network meeting %(meeting)s (%(network)s): %(day)s %(start)s (%(minutes)s min) with "
                        "%(adviser)s"
                    )
                out.print(Text(line % facts))
        out.print(Text(counts_line(status)))
        if len(shown) != len(status.invitations):
            shown_of = {"shown": len(shown), "count": len(status.invitations)}
            out.print(Text(_("Shown: %(shown)s of %(count)s owners.") % shown_of))


# --- tables and lines -------------------------------------------------------------------------------


def owners_table(status: CohortStatus, invitations: Sequence[Invitation]) -> Table:
    """One row per owner: who, the invitation's state, and where its period stands."""
    title = _(
        "Cohort %(cohort)s (%(workflow_id)s): periods start %(start)s; invited on %(invited)s, reply by %(reply_by)s, "
        "no reply after %(no_reply)s"
    ) % {
        "cohort": status.cohort,
        "workflow_id": status.workflow_id,
        "start": status.start_date,
        "invited": status.invited_on,
        "reply_by": status.reply_by,
        "no_reply": status.no_reply_on,
    }
    table = Table(title=title, box=box.SIMPLE)
    headers = (N_("id"), N_("owner"), N_("county"), N_("invitation"), N_("phase"), N_("overdue"), N_("due"))
    for column in (*headers, N_("network")):
        table.add_column(_(column), no_wrap=column in ("id", "county", "due"))
    for i in invitations:
        invitation = str(i.state)
        if i.state == InvitationState.ACCEPTED and not i.period_started:
            invitation += " " + _("(starting)")
        table.add_row(
            i.owner_id,
            Text(i.owner_name),
            i.county,
            invitation,
            i.phase or ("-" if not i.period_started else _("started")),
            Text(_("OVERDUE"), style="bold red") if i.is_overdue else "",
            str(i.phase_due_on) if i.phase_due_on and not i.period_ended else "-",
            Text(i.network or "-"),
        )
    return table


def gatherings_table(gatherings: Sequence[NationalGathering]) -> Table:
    """The cohort's national gatherings: when and where, and whether the owners have been invited."""
    table = Table(title=_("National gatherings"), box=box.SIMPLE)
    for column in (N_("id"), N_("title"), N_("date"), N_("place"), N_("sequence"), N_("invitations")):
        table.add_column(_(column), no_wrap=column in ("id", "date", "sequence"))
    for g in gatherings:
        table.add_row(g.gathering_id, Text(g.title), str(g.date), Text(g.place), str(g.sequence), _invitations(g))
    return table


def counts_line(status: CohortStatus) -> str:
    """The cohort's counts in one line: answers, then periods."""
    c = status.counts
    awaiting = c.get("invited", 0) + c.get("reminded", 0)
    owners = len(status.invitations)
    answers = ngettext(
        "%(owners)s owner: %(accepted)s accepted, %(declined)s declined, %(awaiting)s awaiting an answer "
        "(%(reminded)s reminded), %(no_reply)s no reply",
        "%(owners)s owners: %(accepted)s accepted, %(declined)s declined, %(awaiting)s awaiting an answer "
        "(%(reminded)s reminded), %(no_reply)s no reply",
        owners,
    ) % {
        "owners": owners,
        "accepted": c.get("accepted", 0),
        "declined": c.get("declined", 0),
        "awaiting": awaiting,
        "reminded": c.get("reminded", 0),
        "no_reply": c.get("no_reply", 0),
    }
    periods = ngettext(
        "%(started)s period started, %(ended)s ended, %(overdue)s overdue",
        "%(started)s periods started, %(ended)s ended, %(overdue)s overdue",
        status.periods_started,
    ) % {"started": status.periods_started, "ended": status.periods_ended, "overdue": status.overdue}
    parts = [answers, periods]
    if status.phases:
        phases = ", ".join(f"{p} {n}" for p, n in sorted(status.phases.items()))
        parts.append(_("phases: %(phases)s") % {"phases": phases})
    if status.ended:
        parts.append(_("the cohort has ended"))
    return "; ".join(parts)


def _invitations(g: NationalGathering) -> str:
    if g.sent_sequence is None:
        return _("invitations go out on %(day)s") % {"day": g.invite_on}
    if g.needs_sending:
        return _("moved: updated invitations go out now")
    return _("invitations sent (sequence %(sequence)s)") % {"sequence": g.sent_sequence}


def _show_gatherings(status: CohortStatus, as_json: bool, headline: str) -> None:
    if as_json:
        typer.echo(status.model_dump_json(indent=2))
        return
    out = commands.console()
    out.print(Text(headline))
    out.print(gatherings_table(status.gatherings))


def _entry(status: CohortStatus, owner_id: str) -> Invitation:
    return next(i for i in status.invitations if i.owner_id == owner_id)


# --- choosing the owners ----------------------------------------------------------------------------


def _split(values: Sequence[str] | None) -> list[str]:
    """Comma-separated values of a repeatable option, in order, without blanks."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _chosen_owners(
    shortlist: Path | None, owners: Sequence[str] | None, every_owner: bool, assign: Path | None
) -> list[SchoolOwner]:
    """The owners named by exactly one of --shortlist, --owners, --all-owners, or by --assign alone."""
    given = [
        flag
        for flag, value in (("--shortlist", shortlist), ("--owners", owners), ("--all-owners", every_owner))
        if value
    ]
    if len(given) > 1:
        raise commands.Mistake(
            _("name the owners once: %(options)s given") % {"options": _(" and ").join(given)}, commands.EXIT_USAGE
        )
    if shortlist is not None:
        return read_shortlist(shortlist)
    if owners:
        ids = _split(owners)
        found = [owner_by_id(i) for i in ids]
        twice = sorted({o.id for o in found if sum(1 for other in found if other.id == o.id) > 1})
        if twice:
            raise commands.Mistake(
                _("--owners: named more than once: %(owners)s") % {"owners": ", ".join(twice)}, commands.EXIT_USAGE
            )
        return found
    if every_owner:
        return all_owners()
    if assign is not None:
        return [a.owner for a in read_assignments(assign)]
    raise commands.Mistake(
        _("name the owners: --shortlist FILE, --owners 3301,1103,..., --all-owners, or --assign FILE"),
        commands.EXIT_USAGE,
    )


def _cohort_owners(
    chosen: Sequence[SchoolOwner], assigned: dict[str, Assignment], advisers: Sequence[str], accepted_by: str | None
) -> list[CohortOwner]:
    """Each chosen owner with its advisers: from --assign, else the next adviser of --advisers in turn."""
    strays = sorted(set(assigned) - {o.id for o in chosen})
    if strays:
        raise commands.Mistake(
            _("--assign names owners that are not chosen: %(owners)s; remove their rows, or add them to the shortlist")
            % {"owners": ", ".join(strays)},
            commands.EXIT_REJECTED,
        )
    unassigned = [o for o in chosen if o.id not in assigned]
    if unassigned and not advisers:
        listed = ", ".join(o.id for o in unassigned[:10]) + (" ..." if len(unassigned) > 10 else "")
        raise commands.Mistake(
            ngettext(
                "no advisers for %(count)s owner (%(owners)s); give --advisers a.hansen,b.olsen "
                "(one to each owner in turn) or --assign FILE",
                "no advisers for %(count)s owners (%(owners)s); give --advisers a.hansen,b.olsen "
                "(one to each owner in turn) or --assign FILE",
                len(unassigned),
            )
            % {"count": len(unassigned), "owners": listed},
            commands.EXIT_USAGE,
        )
    result: list[CohortOwner] = []
    turn = 0
    for owner in chosen:
        row = assigned.get(owner.id)
        if row is None:
            result.append(CohortOwner(owner=owner, advisers=[advisers[turn % len(advisers)]], accepted_by=accepted_by))
            turn += 1
        else:
            result.append(
                CohortOwner(
                    owner=owner,
                    advisers=row.advisers,
                    network=row.network,
                    kindergarten_transition=row.kindergarten_transition,
                    schools=row.schools,
                    accepted_by=accepted_by,
                )
            )
    return result


# --- talking to the cohort --------------------------------------------------------------------------


async def _status(client: Client, name: str, wait_seconds: float = STARTING_WAIT_SECONDS) -> CohortStatus:
    """The cohort's status; a cohort still loading its plan is asked again for up to `wait_seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        try:
            return await cohorts.cohort_status(client, name)
        except WorkflowQueryFailedError as err:
            if "still starting" not in str(err) or loop.time() > deadline:
                raise
        await asyncio.sleep(POLL_SECONDS / 2)


def _wait_for_periods(
    ctx: typer.Context, name: str, expected: int, timeout: float, task_queue: str
) -> tuple[CohortStatus, float]:
    """Poll the cohort with a progress bar (on stderr, when it is a terminal) until `expected` periods run.

    A poll that gets no answer in time (a worker busy starting hundreds of periods) is retried until
    `timeout`. Returns the last status and the seconds waited.

    Raises:
        commands.Mistake: The periods did not all start within `timeout` seconds (exit code 3).
    """
    answer_timeout = ctx.obj.answer_timeout.total_seconds() if isinstance(ctx.obj, commands.Settings) else 30.0

    async def waiting() -> tuple[CohortStatus, float]:
        client = await commands.connect_client()
        began = clock.monotonic()
        status: CohortStatus | None = None
        with progress_bar() as progress:
            task = progress.add_task(_("Starting the periods of cohort %(cohort)s") % {"cohort": name}, total=expected)
            while True:
                try:
                    async with asyncio.timeout(min(answer_timeout, max(1.0, timeout - (clock.monotonic() - began)))):
                        status = await _status(client, name, wait_seconds=answer_timeout)
                except (TimeoutError, RPCTimeoutOrCancelledError):
                    pass
                except RPCError as err:
                    if err.status not in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
                        raise
                total = max(expected, status.counts.get("accepted", 0) if status else 0)
                started = status.periods_started if status else 0
                progress.update(task, completed=started, total=total)
                if status is not None and started >= total:
                    return status, clock.monotonic() - began
                if clock.monotonic() - began > timeout:
                    facts = {"started": started, "total": total, "cohort": name, "seconds": f"{timeout:g}"}
                    if status:
                        message = _(
                            "%(started)s of %(total)s periods of cohort %(cohort)s started within %(seconds)s s"
                        )
                    else:
                        message = _("no answer about the periods of cohort %(cohort)s within %(seconds)s s")
                    raise commands.Mistake(
                        message % facts,
                        commands.EXIT_UNAVAILABLE,
                        _(
                            "the cohort keeps starting them; watch with `%(command)s`; is a guidance worker running "
                            "on task queue %(task_queue)s?"
                        )
                        % {"command": f"guidance cohort show {name}", "task_queue": task_queue},
                    )
                await asyncio.sleep(POLL_SECONDS)

    return asyncio.run(waiting())


@contextmanager
def _reported(name: str) -> Iterator[None]:
    """`commands.reported`, knowing what a cohort's errors mean."""
    with commands.reported():
        try:
            yield
        except CohortFileError as err:
            raise commands.Mistake(str(err), commands.EXIT_REJECTED, _("nothing was started")) from None
        except cohorts.CohortAlreadyExists as err:
            raise commands.Mistake(
                explained.cohort_already_exists(err),
                commands.EXIT_REJECTED,
                _("see it with `%(command)s`") % {"command": f"guidance cohort show {name}"},
            ) from None
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            raise commands.Mistake(
                _("no running cohort %(cohort)r (workflow id %(workflow_id)s): %(message)s")
                % {"cohort": name, "workflow_id": cohort_workflow_id(name), "message": err.message},
                commands.EXIT_REJECTED,
                _("check the name; `%(command)s` lists the cohorts")
                % {"command": "temporal workflow list --query \"WorkflowType='CohortWorkflow'\""},
            ) from None
        except WorkflowQueryFailedError as err:
            raise commands.Mistake(
                _("the cohort %(cohort)r could not answer: %(error)s") % {"cohort": name, "error": err},
                commands.EXIT_REJECTED,
            ) from None
