"""`guidance report`: a coordinator's cohort progress as files, read from the record store.

    guidance report cohort 2027 --html cohort-2027.html --png cohort-2027.png --csv cohort-2027.csv
    guidance report cohort 2027 --pdf cohort-2027.pdf
    guidance report cohort 2027 --county 33 --adviser a.hansen --html drammen-area.html
    guidance report cohort 2027 --language nn --pdf cohort-2027-nn.pdf
    guidance report outcomes --cohort 2027 --file indicators-2028.csv --csv outcomes-2027.csv --pdf outcomes.pdf

The files are written in the command's language, or in the one `--language` names (a report for a nynorsk
county governor).

The record store is `DATABASE_URL` (with `make dev` running: the PostgreSQL line of its banner). The
pictures and tables come from the read model (readmodel/) that the web app shows too: the same timeline, the
same report; headless Chromium prints the PDF (the printable page) and photographs the PNG (the timeline).
`starter.cli` lists the group as ``report``, with its help, and imports this module when it runs.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import asyncpg
import typer
from rich import box
from rich.table import Table
from rich.text import Text

from activities.db import create_pool
from config.settings import AppSettings
from language import LANGUAGES, Language, parse_language
from language.current import N_, current_language, using
from language.current import gettext as _
from readmodel.documents import DocumentError, outcomes_html, report_html, report_pdf, timeline_png
from readmodel.outcomes import (
    DEFAULT_TOLERANCE,
    CohortOutcomes,
    OutcomesError,
    check_tolerance,
    load_outcomes,
    moved_line,
    movement_label,
    outcomes_csv,
    points_change,
    share_text,
)
from readmodel.records import PeriodRecords, RecordReader
from readmodel.reports import cohort_report, report_csv
from readmodel.timeline import cohort_timeline_svg, timeline_rows
from selection.indicator_file import MAX_FILE_BYTES, IndicatorFileError
from starter import commands
from starter.localized import typer_app

app = typer_app(
    name="report",
    no_args_is_help=True,
)


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
        chosen = _report_language(language)
        url = commands.record_store_url(AppSettings().database_url)
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


# --- outcomes ---------------------------------------------------------------------------------------------


#: A selection decision's file as the web app kept it (webapp/indicator_files.py): its content and uploaded name.
KEPT_FILE = "SELECT content, name FROM web_indicator_files WHERE sha256 = $1"


async def _cohort_facts(
    url: str, cohort: str, *, kept_file: bool
) -> tuple[list[tuple[str, str]], str | None, tuple[bytes, str] | None]:
    """The cohort's owners (id, name) from its periods, the SHA-256 of its selection decision's file, and with
    `kept_file` that file as the web app kept it in the record store (None: no decision, or its file is not kept)."""
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        reader = RecordReader(pool)
        owners = sorted({(p.owner_id, p.owner_name) for p in await reader.periods(cohort=cohort)})
        decision = await reader.decision(cohort)
        decided = decision.indicator_file if decision is not None else None
        kept = await pool.fetchrow(KEPT_FILE, decided) if kept_file and decided is not None else None
        return owners, decided, (kept["content"], kept["name"]) if kept is not None else None
    finally:
        await pool.close()


def _file_bytes(path: Path, option: str) -> tuple[bytes, str]:
    """The file's bytes (at most one more than an indicator file may hold, so a huge file is refused unread)."""
    try:
        with path.open("rb") as file:
            return file.read(MAX_FILE_BYTES + 1), str(path)
    except OSError as error:
        raise commands.Mistake(
            _("%(option)s: cannot read %(path)s: %(error)s")
            % {"option": option, "path": path, "error": error.strerror or error},
            commands.EXIT_USAGE,
        ) from None


def _selection_file(
    cohort: str, given: Path | None, decided: str | None, kept: tuple[bytes, str] | None
) -> tuple[bytes, str]:
    """The indicator file the cohort was selected from: the one given, else the decision's file the web app kept
    (`kept`, read from the record store)."""
    if given is not None:
        data = _file_bytes(given, "--selection-file")
        if decided is not None and hashlib.sha256(data[0]).hexdigest() != decided:
            raise commands.Mistake(
                _(
                    "--selection-file: %(path)s is not the file cohort %(cohort)s was selected from (SHA-256 "
                    "%(sha)s); leave the option out to read the file the web app kept"
                )
                % {"path": given, "cohort": cohort, "sha": decided[:12]},
                commands.EXIT_USAGE,
            )
        return data
    if decided is None:
        raise commands.Mistake(
            _("cohort %(cohort)s has no selection decision in the record store, so its indicator file is not known")
            % {"cohort": cohort},
            commands.EXIT_USAGE,
            _("name the file it was selected from with --selection-file"),
        )
    if kept is None:
        raise commands.Mistake(
            _(
                "the indicator file of cohort %(cohort)s's decision (SHA-256 %(sha)s) is not among the files "
                "uploaded to the web app (the record store's web_indicator_files)"
            )
            % {"cohort": cohort, "sha": decided[:12]},
            commands.EXIT_USAGE,
            _("name the file it was selected from with --selection-file"),
        )
    return kept


def outcomes_table(outcomes: CohortOutcomes) -> Table:
    """Each owner's share at selection and now, and how the cohort moved (the table's caption)."""
    title = _("Cohort %(cohort)s: outcomes, %(then)s and %(now)s") % {
        "cohort": outcomes.cohort,
        "then": _years(outcomes.window_then),
        "now": _years(outcomes.window_now),
    }
    table = Table(title=title, box=box.SIMPLE, caption=moved_line(outcomes), caption_justify="left")
    for column, justify in (
        (N_("owner"), "left"),
        (N_("at selection"), "right"),
        (N_("now"), "right"),
        (N_("change"), "right"),
        (N_("moved"), "left"),
        (N_("missing then/now"), "right"),
    ):
        table.add_column(_(column), justify=justify)  # type: ignore[arg-type]
    for owner in outcomes.owners:
        table.add_row(
            Text(f"{owner.owner_id} {owner.owner_name}"),
            share_text(owner.share_then.share),
            share_text(owner.share_now.share),
            points_change(owner.change),
            movement_label(owner.movement),
            f"{owner.share_then.missing}/{owner.share_now.missing}",
        )
    return table


def _years(years: Sequence[str]) -> str:
    return f"{years[0]}–{years[-1]}" if years else _("no years")


@app.command("outcomes", help=N_("Compare a cohort's owners at selection with a later indicator file."))
def outcomes(
    cohort: Annotated[str, typer.Option("--cohort", help=N_("The cohort (pulje), e.g. 2027."), show_default=False)],
    file: Annotated[
        Path,
        typer.Option(
            "--file", help=N_("The later indicator file (the layout `guidance select` reads)."), show_default=False
        ),
    ],
    selection_file: Annotated[
        Path | None,
        typer.Option(
            "--selection-file",
            help=N_(
                "The indicator file the cohort was selected from (default: the decision's file, kept by the web app)."
            ),
        ),
    ] = None,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance", help=N_("Changes of the share within this count as unchanged (0.05: 5 percentage points).")
        ),
    ] = DEFAULT_TOLERANCE,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help=N_("Write one row per owner and indicator (CSV) here."))
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help=N_("Write the printable report (HTML) here."))] = None,
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", help=N_("Write the printable report as a PDF (A4, by headless Chromium) here.")),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            help=N_("Write the report in this language: nb, nn, sv or en (by default the command's own language)."),
        ),
    ] = None,
) -> None:
    with commands.reported():
        chosen = _report_language(language)
        url = commands.record_store_url(AppSettings().database_url)
        try:
            check_tolerance(tolerance)
        except OutcomesError as error:
            raise commands.Mistake(str(error), commands.EXIT_USAGE) from None
        later = _file_bytes(file, "--file")
        try:
            owners, decided, kept = asyncio.run(_cohort_facts(url, cohort, kept_file=selection_file is None))
        except (OSError, asyncpg.PostgresError) as error:
            raise commands.Mistake(
                _("the record store did not answer: %(error)s") % {"error": error}, commands.EXIT_UNAVAILABLE
            ) from None
        if not owners:
            raise commands.Mistake(
                _("cohort %(cohort)s has no periods in the record store") % {"cohort": repr(cohort)},
                commands.EXIT_REJECTED,
            )
        then = _selection_file(cohort, selection_file, decided, kept)
        try:
            found = load_outcomes(cohort, owners, then, later, tolerance=tolerance)
        except (IndicatorFileError, OutcomesError) as error:
            raise commands.Mistake(str(error), commands.EXIT_REJECTED) from None
        commands.console().print(outcomes_table(found))
        with using(chosen):
            sheet = outcomes_csv(found) if csv_file is not None else None
            page = outcomes_html(found, datetime.now(UTC)) if html is not None or pdf is not None else None
        if csv_file is not None and sheet is not None:
            _write(csv_file, sheet)
        if html is not None and page is not None:
            _write(html, page)
        try:
            if pdf is not None and page is not None:
                _write(pdf, report_pdf(page))
        except DocumentError as error:
            raise commands.Mistake(str(error), commands.EXIT_USAGE) from None


def _report_language(given: str | None) -> Language:
    """The language a report is written in: `--language`, else the command's own."""
    chosen = current_language() if given is None else parse_language(given)
    if chosen is None:
        raise commands.Mistake(
            _("--language: one of %(languages)s, not %(given)r") % {"languages": ", ".join(LANGUAGES), "given": given},
            commands.EXIT_USAGE,
        )
    return chosen
