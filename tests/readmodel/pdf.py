"""What the tests can read of a PDF without a PDF library: its pages, page size, title, and (with poppler's
`pdftotext` on the PATH) its text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

# "/Type /Page" but not "/Type /Pages" (the page tree): one per page.
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
_HEX_TITLE = re.compile(rb"/Title\s*<([0-9A-Fa-f]+)>")


def page_count(pdf: bytes) -> int:
    return len(_PAGE.findall(pdf))


def page_sizes_mm(pdf: bytes) -> set[tuple[int, int]]:
    """Every page's width and height in millimetres, rounded."""
    return {
        (round((float(x1) - float(x0)) * 25.4 / 72), round((float(y1) - float(y0)) * 25.4 / 72))
        for x0, y0, x1, y1 in _MEDIA_BOX.findall(pdf)
    }


def title(pdf: bytes) -> str | None:
    """The document's title (Chromium writes the page's <title>, UTF-16 in hex)."""
    found = _HEX_TITLE.search(pdf)
    return bytes.fromhex(found.group(1).decode()).decode("utf-16") if found else None


def text(path: Path) -> str | None:
    """The PDF's text by `pdftotext`, or None where poppler is not installed."""
    binary = shutil.which("pdftotext")
    if binary is None:
        return None
    return subprocess.run([binary, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


#: The report's title and one heading, in the languages the tests print it in.
_REPORT_WORDS = {
    "en": ("Cohort 2027: progress · Veilederkorpset", "Phase distribution"),
    "nb": ("Pulje 2027: framdrift · Veilederkorpset", "Fordeling på faser"),
}


def check_report_pdf(pdf: bytes, path: Path, *, owners: list[str], language: str = "en") -> None:
    """A cohort report as a PDF: A4 landscape pages, the report's title in `language`, and the owners' names where
    readable."""
    heading_title, heading = _REPORT_WORDS[language]
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    assert len(pdf) > 10_000, f"{len(pdf)} bytes: too small for the report's timeline and tables"
    assert page_count(pdf) >= 1
    assert page_sizes_mm(pdf) == {(297, 210)}, "A4 landscape"
    assert title(pdf) == heading_title
    words = text(path)
    if words is not None:
        assert heading in words and all(owner in words for owner in owners), words
