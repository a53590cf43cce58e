"""`guidance report cohort`: the cohort's report as HTML, PDF, CSV and a PNG of its timeline, from the record store."""

from __future__ import annotations

import csv
import struct
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from starter.cli import app
from tests.readmodel.pdf import check_report_pdf

runner = CliRunner()


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "a PNG file"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_report_files_hold_the_cohorts_owners_and_its_timeline(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    html, sheet, picture = tmp_path / "cohort.html", tmp_path / "cohort.csv", tmp_path / "cohort.png"

    done = runner.invoke(
        app, ["report", "cohort", "2027", "--html", str(html), "--csv", str(sheet), "--png", str(picture)]
    )

    assert done.exit_code == 0, done.output
    page = html.read_text(encoding="utf-8")
    # The command's language (its environment's: British English in the suite, tests/conftest.py).
    assert '<html lang="en">' in page and "Cohort 2027: progress" in page
    assert "<svg" in page and "Kongsberg (3303)" in page
    assert "size: A4 landscape" in page, "the read model's document sheet, inline"
    # Kongsberg's overdue phase was due on 15 March: numeric dates for people in the command's language, as on the
    # web pages; the suite runs the command in British English (tests/conftest.py), day before month.
    assert "<td>15/03/2027</td>" in page and "2027-03-15" not in page
    with sheet.open(encoding="utf-8") as rows:
        assert [row["Owner id"] for row in csv.DictReader(rows)] == ["3301", "3303", "4601"]
    width, height = _png_size(picture)
    assert width >= 900 and height >= 150, "the picture is the whole timeline"


def test_the_report_files_are_in_the_language_asked_for_and_the_commands_words_in_its_own(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LANG", "nb_NO.UTF-8")  # the coordinator's shell speaks bokmål
    html, sheet = tmp_path / "cohort.html", tmp_path / "cohort.csv"

    done = runner.invoke(
        app, ["report", "cohort", "2027", "--language", "nn", "--html", str(html), "--csv", str(sheet)]
    )

    assert done.exit_code == 0, done.output
    assert f"Skrev {html}" in done.output, "the command itself still speaks its environment's language"
    page = html.read_text(encoding="utf-8")
    assert '<html lang="nn">' in page and "Pulje 2027: framdrift" in page and "<td>15.03.2027</td>" in page
    with sheet.open(encoding="utf-8") as rows:
        assert [row["Skuleeigar-ID"] for row in csv.DictReader(rows)] == ["3301", "3303", "4601"]


def test_a_report_in_an_unknown_language_is_refused(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)

    done = runner.invoke(app, ["report", "cohort", "2027", "--language", "de", "--csv", str(tmp_path / "c.csv")])

    assert done.exit_code == 2 and "--language: one of nb, nn, sv, en, not 'de'" in done.output
    assert not (tmp_path / "c.csv").exists()


def test_the_report_as_a_pdf_is_the_printable_page_on_a4(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    printed = tmp_path / "out" / "cohort-2027.pdf"

    done = runner.invoke(app, ["report", "cohort", "2027", "--language", "en", "--pdf", str(printed)])

    assert done.exit_code == 0, done.output
    assert f"Wrote {printed}" in done.output
    check_report_pdf(printed.read_bytes(), printed, owners=["Drammen", "Kongsberg", "Bergen"])


def test_without_chromium_the_pdf_is_refused_with_what_to_install(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("GUIDANCE_CHROMIUM", str(tmp_path / "no-chromium-here"))

    done = runner.invoke(app, ["report", "cohort", "2027", "--pdf", str(tmp_path / "r.pdf")])

    assert done.exit_code == 2 and "could not make the PDF" in done.output
    assert not (tmp_path / "r.pdf").exists()


def test_the_report_filters_by_county(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)

    done = runner.invoke(app, ["report", "cohort", "2027", "--county", "46", "--csv", str(tmp_path / "c.csv")])

    assert done.exit_code == 0, done.output
    assert "Bergen" in (tmp_path / "c.csv").read_text(encoding="utf-8")
    assert "Drammen" not in (tmp_path / "c.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["report", "cohort", "2027"], 2, "say which files to write"),
        (["report", "cohort", "1999", "--csv", "x.csv"], 1, "cohort '1999' has no periods"),
    ],
)
def test_a_report_that_cannot_be_written_says_why(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int, message: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)

    done = runner.invoke(app, args)

    assert done.exit_code == code and message in done.output
