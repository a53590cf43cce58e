"""`guidance assessment`: ask the county governors to assess a cohort's spread-track owners, record their answers,
and read where each stands, before the Directorate decides.

    guidance assessment start 2027 --indicators indicators.csv --by coordinator [--reply-days 15] [--reminder-days 5]
    guidance assessment record 2027 4617 --priority 1 --text "..." --by coordinator
    guidance assessment record 2027 4617 --priority 1 --text "..." --by sf.vestland --county-governor 46
    guidance assessment status 2027 [--county 46] [--json]

The commands follow the rest of `guidance` (`starter.cli`): the same connection, answer timeout, messages and exit
codes. The workflow is ``assessment-{NAME}`` (`starter.assessments`). `starter.cli` lists the group as
``assessment``, with its help, and imports this module when it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich import box
from rich.table import Table
from rich.text import Text
from temporalio.client import Client

from domain.assessment import DEFAULT_ASSESSMENT_DAYS, DEFAULT_REMINDER_DAYS, AssessmentStatus, RecordAssessment
from domain.contract import TASK_QUEUE, assessment_workflow_id
from language.current import N_
from language.current import gettext as _
from language.formats import long_day
from readmodel.assessments import recorded_as_label, state_label
from selection.indicator_file import IndicatorFileError, read_indicator_csv
from selection.scoring import SelectionConfigError, Shortlist, load_selection_config
from selection.scoring import select as select_owners
from starter import assessments, commands
from starter.converter import explain_problems
from starter.localized import typer_app
from starter.progress import progress_bar, step

app = typer_app(
    name="assessment",
    no_args_is_help=True,
)

NameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help=N_("The cohort (pulje), e.g. 2027."), show_default=False)
]
ByOption = Annotated[
    str, typer.Option("--by", help=N_("Your user name, e.g. coordinator or sf.vestland."), show_default=False)
]
JsonOption = Annotated[bool, typer.Option("--json", help=N_("Print the assessment's status as JSON."))]


@app.command(
    help=N_(
        "Ask the county governors to assess the spread-track owners of the shortlist the indicator file gives (as "
        "`guidance select` scores it): a letter to each owner's county governor, with a reply deadline on a "
        "working day."
    )
)
def start(
    ctx: typer.Context,
    name: NameArgument,
    indicators: Annotated[
        Path,
        typer.Option(
            "--indicators",
            exists=True,
            dir_okay=False,
            readable=True,
            help=N_("The indicator file the shortlist is scored from (as `guidance select --indicators`)."),
            show_default=False,
        ),
    ],
    by: ByOption,
    config: commands.SelectionConfigOption = None,
    reply_days: Annotated[
        int, typer.Option("--reply-days", help=N_("Working days the county governors have to answer."))
    ] = DEFAULT_ASSESSMENT_DAYS,
    reminder_days: Annotated[
        int,
        typer.Option(
            "--reminder-days",
            help=N_("Working days before the deadline that an open request is reminded of (0: none)."),
        ),
    ] = DEFAULT_REMINDER_DAYS,
    task_queue: Annotated[
        str,
        typer.Option("--task-queue", help=N_("Where the workers listen; change it only for a test or staging worker.")),
    ] = TASK_QUEUE,
) -> None:
    with _reported(name):
        shortlist = _scored(indicators, config)
        try:
            given = assessments.assessment_input(
                shortlist, name, by, reply_days=reply_days, reminder_days=reminder_days
            )
        except ValidationError as error:
            options = {"cohort": "NAME", "requested_by": "--by", "reply_days": "--reply-days"}
            options["reminder_days"] = "--reminder-days"
            problems = "; ".join(explain_problems(error, options))
            raise commands.Mistake(
                _("invalid input: %(problems)s") % {"problems": problems}, commands.EXIT_REJECTED
            ) from None

        async def ask(client: Client) -> AssessmentStatus:
            await assessments.start_assessment(client, given, task_queue=task_queue)
            found = await assessments.assessment_status(client, name)
            assert found is not None  # just started
            return found

        status = commands.run(ctx, assessment_workflow_id(name), ask)
        commands.console().print(
            Text(
                _("Asked the county governors to assess %(num)s school owners of cohort %(cohort)s; reply by %(day)s.")
                % {"num": len(status.requests), "cohort": name, "day": long_day(status.reply_by)}
            )
        )
        _print(status, None)


@app.command(
    help=N_(
        "Record the county governor's assessment and priority (1 is the first among the county's owners) of one "
        "owner. A coordinator records it on the county governor's behalf; a county governor gives their county."
    )
)
def record(
    ctx: typer.Context,
    name: NameArgument,
    owner_id: Annotated[str, typer.Argument(metavar="OWNER_ID", help=N_("The owner's number, e.g. 4617."))],
    priority: Annotated[
        int, typer.Option("--priority", help=N_("The owner's place among the county's owners, 1 first."))
    ],
    text: Annotated[str, typer.Option("--text", help=N_("The county governor's assessment."), show_default=False)],
    by: ByOption,
    county_governor: Annotated[
        str | None,
        typer.Option(
            "--county-governor",
            metavar="COUNTY",
            help=N_("Record as the county governor of this county (its number, e.g. 46), not on their behalf."),
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    with _reported(name):
        request = commands.build(
            RecordAssessment,
            {
                "owner_id": "OWNER_ID",
                "priority": "--priority",
                "assessment": "--text",
                "by": "--by",
                "county": "--county-governor",
            },
            owner_id=owner_id,
            priority=priority,
            assessment=text,
            by=by,
            recorded_as="coordinator" if county_governor is None else "county_governor",
            county=county_governor,
        )

        async def send(client: Client) -> AssessmentStatus:
            return await assessments.record_assessment(client, name, request)

        status = commands.run(ctx, assessment_workflow_id(name), send)
        if as_json:
            typer.echo(status.model_dump_json(indent=2))
            return
        entry = next(r for r in status.requests if r.owner_id == owner_id)
        commands.console().print(
            Text(
                _("%(owner)s (%(owner_id)s) in cohort %(cohort)s: %(state)s, recorded by %(by)s")
                % {
                    "owner": entry.owner_name,
                    "owner_id": entry.owner_id,
                    "cohort": name,
                    "state": state_label(entry, status),
                    "by": recorded_as_label(entry),
                }
            )
        )


@app.command(help=N_("Show where each owner's assessment stands: waiting, answered, or past its deadline."))
def status(
    ctx: typer.Context,
    name: NameArgument,
    county: Annotated[
        str | None, typer.Option("--county", help=N_("Only this county's owners (its number, e.g. 46)."))
    ] = None,
    as_json: JsonOption = False,
) -> None:
    with _reported(name):

        async def ask(client: Client) -> AssessmentStatus | None:
            return await assessments.assessment_status(client, name)

        found = commands.run(ctx, assessment_workflow_id(name), ask)
        if found is None:
            raise assessments.AssessmentNotFound(name)
        if as_json:
            shown = found.of_county(county) if county else found.requests
            typer.echo(found.model_copy(update={"requests": shown}).model_dump_json(indent=2))
            return
        _print(found, county)


def _scored(indicators: Path, config: Path | None) -> Shortlist:
    with progress_bar(counted=False, transient=True) as progress:
        try:
            settings = load_selection_config(config)
            with step(progress, _("Reading and checking %(file)s") % {"file": indicators.name}):
                rows = read_indicator_csv(indicators, indicators=settings.indicators)
        except (SelectionConfigError, IndicatorFileError) as err:
            raise commands.Mistake(str(err), commands.EXIT_REJECTED) from None
        with step(progress, _("Scoring the school owners")):
            return select_owners(rows, settings)


def _print(status: AssessmentStatus, county: str | None) -> None:
    table = Table(
        title=_("County governors' assessment, cohort %(cohort)s (reply by %(day)s)")
        % {"cohort": status.cohort, "day": long_day(status.reply_by)},
        box=box.SIMPLE,
    )
    for column in (N_("rank"), N_("owner"), N_("county"), N_("state"), N_("recorded by"), N_("assessment")):
        table.add_column(_(column))
    for entry in status.of_county(county) if county else status.requests:
        table.add_row(
            str(entry.rank),
            Text(f"{entry.owner_id} {entry.owner_name}"),
            entry.county,
            state_label(entry, status),
            recorded_as_label(entry) if entry.recorded_by else "-",
            Text(entry.assessment or "-"),
        )
    commands.console().print(table)


@contextmanager
def _reported(name: str) -> Iterator[None]:
    """`commands.reported`, knowing what an assessment's errors mean."""
    with commands.reported():
        try:
            yield
        except assessments.NoSpreadTrack as err:
            raise commands.Mistake(str(err), commands.EXIT_REJECTED, _("nothing was started")) from None
        except assessments.AssessmentAlreadyStarted as err:
            raise commands.Mistake(
                _("the county governors have been asked to assess cohort %(cohort)s already") % {"cohort": err.cohort},
                commands.EXIT_REJECTED,
                _("see it with `%(command)s`") % {"command": f"guidance assessment status {name}"},
            ) from None
        except assessments.AssessmentNotFound as err:
            raise commands.Mistake(
                _("no county governors' assessment has been started for cohort %(cohort)s") % {"cohort": err.cohort},
                commands.EXIT_REJECTED,
                _("start one with `%(command)s`") % {"command": f"guidance assessment start {name} ..."},
            ) from None
