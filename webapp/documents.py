"""The cohort report as files: a standalone printable HTML page and a PNG picture of the timeline.

Used by `guidance report cohort` (starter/report_cli.py). The PNG is a screenshot taken by headless
Chromium (Debian's `chromium`; `GUIDANCE_CHROMIUM` names another binary), so the file shows exactly
what the web page shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from webapp.overview import DISPLAY_ZONE
from webapp.reports import CohortReport

HERE = Path(__file__).parent
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
SCREENSHOT_TIMEOUT_SECONDS = 60


class PictureError(RuntimeError):
    """The PNG could not be made; the message says what to install or set."""


def report_html(report: CohortReport, timeline_svg: str, generated: datetime) -> str:
    """The printable report as one self-contained HTML page (its style inline, the timeline as SVG)."""
    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
    style = (HERE / "static" / "style.css").read_text(encoding="utf-8")
    return environment.get_template("report_file.html").render(
        report=report, timeline=timeline_svg, generated=generated.astimezone(DISPLAY_ZONE), style=style
    )


def find_chromium() -> str:
    """The Chromium binary: `GUIDANCE_CHROMIUM`, else the first of `CHROMIUM_CANDIDATES` on the PATH.

    Raises:
        PictureError: None is installed.
    """
    configured = os.environ.get("GUIDANCE_CHROMIUM")
    if configured:
        return configured
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PictureError("--png needs headless Chromium: install it (apt-get install chromium) or set GUIDANCE_CHROMIUM")


def _svg_size(svg: str) -> tuple[int, int]:
    found = re.search(r'<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"', svg)
    if found is None:
        raise PictureError("the timeline has no width and height to photograph")
    return int(found.group(1)), int(found.group(2))


def timeline_png(svg: str, target: Path, *, chromium: str | None = None) -> None:
    """Photograph the timeline SVG into `target` (PNG) with headless Chromium.

    Raises:
        PictureError: Chromium is missing, failed, or wrote no picture.
    """
    binary = chromium or find_chromium()
    width, height = _svg_size(svg)
    with tempfile.TemporaryDirectory(prefix="guidance-png-") as folder:
        page = Path(folder) / "timeline.html"
        page.write_text(f'<!doctype html><body style="margin:0">{svg}</body>', encoding="utf-8")
        shot = Path(folder) / "timeline.png"
        command = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--window-size={width},{height}",
            f"--screenshot={shot}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=SCREENSHOT_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PictureError(f"Chromium ({binary}) could not take the picture: {error}") from None
        if done.returncode != 0 or not shot.exists():
            tail = "\n".join((done.stderr or "").strip().splitlines()[-5:])
            raise PictureError(f"Chromium ({binary}) exited with {done.returncode} and wrote no picture:\n{tail}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
