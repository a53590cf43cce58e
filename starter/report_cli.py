"""`guidance report`: a coordinator's cohort progress as files, read from the record store.

    guidance report cohort 2027 --html cohort-2027.html --png cohort-2027.png --csv cohort-2027.csv
    guidance report cohort 2027 --pdf cohort-2027.pdf
    guidance report cohort 2027 --county 33 --adviser a.hansen --html drammen-area.html
    guidance report cohort 2027 --language nn --pdf cohort-2027-nn.pdf

The files are written in the command's language, or in the one `--language` names (a report for a nynorsk
county governor).

The record store is `DATABASE_URL` (with `make dev` running: the PostgreSQL line of its banner). The
pictures and tables come from the read model (readmodel/) that the web app shows too: the same timeline, the
same report; headless Chromium prints the PDF (the printable page) and photographs the PNG (the timeline).
Importing this module adds it to the `guidance` command as ``report``; `starter.cli` imports it at its end.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import asyncpg
import typer
from rich.text import Text

from activities.db import create_pool
from config.settings import AppSettings
from language import LANGUAGES, parse_language
from language.current import N_, current_language, using
from language.current import gettext as _
from readmodel.documents import DocumentError, report_html, report_pdf, timeline_png
from readmodel.records import PeriodRecords, RecordReader
from readmodel.reports import cohort_report, report_csv
from readmodel.timeline import cohort_timeline_svg, timeline_rows
from starter import commands

app = typer.Typer(
    name="report",
    help=N_("Reports from the record store: a cohort's progress as HTML, PDF, PNG and CSV files."),
    no_args_is_help=True,
)
commands.app.add_typer(app)


async def _read_cohort(url: str, cohort: str, county: str | None, adviser: str | None) -> PeriodRecords:
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        reader = RecordReader(pool)
        return await reader.records(await reader.periods(cohort=cohort, county=county, adviser=adviser))
    finally:
        await pool.close()


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    _wrote(path)


def _wrote(path: Path) -> None:
    commands.console().print(Text(_("Wrote %(path)s") % {"path": path}))


@app.command(
    "cohort",
    help=N_("Write a cohort's progress report: timeline, phase distribution, overdue owners, meetings, gatherings."),
)
def cohort(
    name: Annotated[str, typer.Argument(metavar="NAME", help=N_("The cohort (pulje), e.g. 2027."), show_default=False)],
    html: Annotated[Path | None, typer.Option("--html", help=N_("Write the printable report (HTML) here."))] = None,
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", help=N_("Write the printable report as a PDF (A4, by headless Chromium) here.")),
    ] = None,
    png: Annotated[Path | None, typer.Option("--png", help=N_("Write the timeline picture (PNG) here."))] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help=N_("Write one row per owner (CSV) here."))] = None,
    county: Annotated[str | None, typer.Option("--county", help=N_("Only owners in this county, e.g. 33."))] = None,
    adviser: Annotated[str | None, typer.Option("--adviser", help=N_("Only this adviser's periods."))] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            help=N_("Write the report in this language: nb, nn, sv or en (by default the command's own language)."),
        ),
    ] = None,
) -> None:
    with commands.reported():
        if html is None and pdf is None and png is None and csv_file is None:
            raise commands.Mistake(
                _("say which files to write: --html, --pdf, --png and/or --csv"), commands.EXIT_USAGE
            )
        chosen = current_language() if language is None else parse_language(language)
        if chosen is None:
            raise commands.Mistake(
                _("--language: one of %(languages)s, not %(given)r")
                % {"languages": ", ".join(LANGUAGES), "given": language},
                commands.EXIT_USAGE,
            )
        url = AppSettings().database_url
        if not url:
            raise commands.Mistake(
                _("set DATABASE_URL to the record store"),
                commands.EXIT_USAGE,
                _("with `make dev` running, its banner shows it"),
            )
        try:
            records = asyncio.run(_read_cohort(url, name, county, adviser))
        except (OSError, asyncpg.PostgresError) as error:
            raise commands.Mistake(
                _("the record store did not answer: %(error)s") % {"error": error}, commands.EXIT_UNAVAILABLE
            ) from None
        if not records.periods:
            raise commands.Mistake(
                _("cohort %(cohort)r has no periods in the record store (with these filters)") % {"cohort": name},
                commands.EXIT_REJECTED,
            )
        now = datetime.now(UTC)
        report = cohort_report(name, records, now)
        # The files in the chosen language; the command's own messages stay in its language.
        with using(chosen):
            svg = cohort_timeline_svg(records, now, title=_("Cohort %(cohort)s") % {"cohort": name})
            rows = timeline_rows(records, now)
            sheet = report_csv(report) if csv_file is not None else None
            page = report_html(report, svg, now, rows) if html is not None or pdf is not None else None
        if csv_file is not None and sheet is not None:
            _write(csv_file, sheet)
        if html is not None and page is not None:
            _write(html, page)
        try:
            if pdf is not None and page is not None:
                _write(pdf, report_pdf(page))
            if png is not None:
                timeline_png(svg, png)
                _wrote(png)
        except DocumentError as error:
            raise commands.Mistake(str(error), commands.EXIT_USAGE) from None
