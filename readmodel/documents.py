"""The cohort report as files: a standalone printable HTML page, the same page as a PDF, and a PNG picture
of the timeline; and a cohort's outcomes side by side (`outcomes_html`, `templates/outcomes_file.html`) likewise.

Used by `guidance report cohort` (starter/report_cli.py) and the web app's ``report.pdf``. The page is
`templates/report_file.html` around the report's body (`templates/_report_body.html`, which the web app's
report page includes too), styled by `static/document.css` inline (the sheet the web app's pages build on). The
PDF and PNG are made by headless Chromium (Debian's `chromium`; `GUIDANCE_CHROMIUM` names another binary), so
the files show exactly what the web page shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from language import jinja as language_jinja
from readmodel import display
from readmodel.outcomes import TEMPLATE_HELPERS, CohortOutcomes
from readmodel.overview import DISPLAY_ZONE
from readmodel.reports import CohortReport
from readmodel.timeline import TimelineRow

HERE = Path(__file__).parent
#: The report's templates, found by this module and by the web app's pages (its report page includes the body).
TEMPLATES = HERE / "templates"
#: The style sheet of the report: inline in the file, linked by the web app's pages before their own sheet.
STATIC = HERE / "static"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
#: How every headless Chromium of the project starts (these files, and the browser tests through Playwright):
#: no sandbox (it runs as root in containers), no GPU, and nothing that reaches the network on its own.
HEADLESS_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_TIMEOUT_SECONDS = 60


class DocumentError(RuntimeError):
    """The PDF or PNG could not be made; the message says what to install or set."""


def report_html(
    report: CohortReport, timeline_svg: str, generated: datetime, timeline_rows: Sequence[TimelineRow] = ()
) -> str:
    """The printable report as one self-contained HTML page (its style inline, the timeline as SVG followed by
    `timeline_rows` as its table)."""
    style = (STATIC / "document.css").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("report_file.html")
        .render(
            report=report,
            timeline=timeline_svg,
            timeline_rows=timeline_rows,
            generated=generated.astimezone(DISPLAY_ZONE),
            style=style,
        )
    )


def outcomes_html(outcomes: CohortOutcomes, generated: datetime) -> str:
    """A cohort's outcomes side by side (`readmodel.outcomes`) as one self-contained printable HTML page."""
    return (
        _environment()
        .get_template("outcomes_file.html")
        .render(
            outcomes=outcomes,
            generated=generated.astimezone(DISPLAY_ZONE),
            style=(STATIC / "document.css").read_text(encoding="utf-8"),
            **TEMPLATE_HELPERS,
        )
    )


def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    environment.filters.update(display.FILTERS)
    language_jinja.install(environment)
    return environment


def find_chromium() -> str:
    """The Chromium binary: `GUIDANCE_CHROMIUM`, else the first of `CHROMIUM_CANDIDATES` on the PATH.

    Raises:
        DocumentError: None is installed.
    """
    configured = os.environ.get("GUIDANCE_CHROMIUM")
    if configured:
        return configured
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise DocumentError(
        "the PDF and the PNG need headless Chromium: install it (apt-get install chromium) or set GUIDANCE_CHROMIUM"
    )


def _svg_size(svg: str) -> tuple[int, int]:
    found = re.search(r'<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"', svg)
    if found is None:
        raise DocumentError("the timeline has no width and height to photograph")
    return int(found.group(1)), int(found.group(2))


def _chromium_writes(html: str, output_flags: Sequence[str], made: str, what: str, chromium: str | None) -> bytes:
    """Open `html` in a headless Chromium with a fresh profile and return the file it writes.

    Args:
        html: The page.
        output_flags: What Chromium makes of it; ``{output}`` stands for the file's path.
        made: The file's name in the temporary folder (its suffix tells the kind).
        what: The file as an error message names it, e.g. "the PDF".
        chromium: The binary; default `find_chromium()`.

    Raises:
        DocumentError: Chromium is missing, failed, or wrote nothing.
    """
    binary = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="guidance-chromium-") as folder:
        page = Path(folder) / "page.html"
        page.write_text(html, encoding="utf-8")
        output = Path(folder) / made
        command = [
            binary,
            *HEADLESS_CHROMIUM_FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            *(flag.format(output=output) for flag in output_flags),
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DocumentError(f"Chromium ({binary}) could not make {what}: {error}") from None
        if done.returncode != 0 or not output.exists() or output.stat().st_size == 0:
            tail = "\n".join((done.stderr or "").strip().splitlines()[-5:])
            raise DocumentError(f"Chromium ({binary}) exited with {done.returncode} without making {what}:\n{tail}")
        return output.read_bytes()


def timeline_png(svg: str, target: Path, *, chromium: str | None = None) -> None:
    """Photograph the timeline SVG into `target` (PNG) with headless Chromium.

    Raises:
        DocumentError: Chromium is missing, failed, or wrote no picture.
    """
    width, height = _svg_size(svg)
    picture = _chromium_writes(
        f'<!doctype html><body style="margin:0">{svg}</body>',
        ["--hide-scrollbars", f"--window-size={width},{height}", "--screenshot={output}"],
        "timeline.png",
        "the timeline picture",
        chromium,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(picture)


def report_pdf(html: str, *, chromium: str | None = None) -> bytes:
    """The printable report page (`report_html`) printed to PDF by headless Chromium: A4 landscape, as the
    page's print style says, without the browser's header and footer lines.

    Raises:
        DocumentError: Chromium is missing, failed, or wrote no PDF.
    """
    return _chromium_writes(
        html, ["--no-pdf-header-footer", "--print-to-pdf={output}"], "report.pdf", "the PDF", chromium
    )
