"""`guidance select`: propose school owners for a cohort from indicator data, a ranked shortlist with the reasons
(docs/selection.md). No Temporal server is needed, except to show the county governors' assessment (--cohort).

`starter.cli` lists it with its help and imports this module when it runs.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from domain.assessment import AssessmentStatus
from language.current import N_, ngettext
from language.current import gettext as _
from language.formats import number
from selection.indicator_file import IndicatorFileError, read_indicator_csv
from selection.scoring import SelectionConfigError, load_selection_config
from selection.scoring import select as select_owners
from starter import assessments as assessment_api
from starter import commands
from starter import shortlist as shortlists
from starter.commands import EXIT_REJECTED
from starter.localized import typer_app
from starter.progress import progress_bar, step

#: The command; `starter.cli` names it on the root and gives its help.
app = typer_app()


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("select")
def select_command(
    indicators: Annotated[
        Path,
        typer.Option(
            "--indicators",
            exists=True,
            dir_okay=False,
            readable=True,
            help=N_("The indicator file (CSV: enhet_type, enhet_id, skoleeier_id, indikator, skoleaar, verdi)."),
            show_default=False,
        ),
    ],
    config: commands.SelectionConfigOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help=N_("How to print the shortlist."))
    ] = OutputFormat.table,
    top: Annotated[
        int | None,
        typer.Option(
            "--top", min=0, help=N_("Owners chosen by rank (default: the configuration's, 30)."), show_default=False
        ),
    ] = None,
    cohort: Annotated[
        str | None,
        typer.Option(
            "--cohort",
            help=N_(
                "Show the county governors' assessment of this cohort beside the spread-track owners (asks Temporal)."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    with commands.reported():
        assessment = _assessment(cohort) if cohort else None
        # A country's file takes seconds to check and score; the bars are gone before the shortlist prints.
        with progress_bar(counted=False, transient=True) as progress:
            try:
                settings = load_selection_config(config)
                with step(progress, _("Reading and checking %(file)s") % {"file": indicators.name}):
                    rows = read_indicator_csv(indicators, indicators=settings.indicators)
            except (SelectionConfigError, IndicatorFileError) as err:
                raise commands.Mistake(str(err), EXIT_REJECTED) from None
            owners = len({row.owner_id for row in rows})
            scoring = ngettext(
                "Scoring %(owners)s school owner (%(values)s values)",
                "Scoring %(owners)s school owners (%(values)s values)",
                owners,
            ) % {"owners": number(owners), "values": number(len(rows))}
            with step(progress, scoring):
                shortlist = select_owners(rows, settings, top=top)
        if output is OutputFormat.json:
            typer.echo(shortlists.as_json(shortlist, assessment))
            return
        if output is OutputFormat.csv:
            typer.echo(shortlists.as_csv(shortlist, assessment), nl=False)
            return
        out = commands.console()
        out.print(shortlists.as_table(shortlist, out.width, assessment))
        out.print(Text(shortlists.missing_note()), soft_wrap=False)
        suppressed = sum(1 for row in rows if row.value is None)
        out.print(
            Text(
                _("%(values)s values read, %(missing)s of them missing (suppressed or not reported).")
                % {"values": len(rows), "missing": suppressed}
            )
        )
        for note in shortlists.notes(shortlist):
            out.print(Text(note))


def _assessment(cohort: str) -> AssessmentStatus:
    """The county governors' assessment of `cohort`, for `select --cohort`."""

    async def ask() -> AssessmentStatus | None:
        return await assessment_api.assessment_status(await commands.connect_client(), cohort)

    found = asyncio.run(ask())
    if found is None:
        raise commands.Mistake(
            _("no county governors' assessment has been started for cohort %(cohort)s") % {"cohort": cohort},
            EXIT_REJECTED,
            _("start one with `%(command)s`") % {"command": f"guidance assessment start {cohort} ..."},
        )
    return found
