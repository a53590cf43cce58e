"""The cohort report in the coordinator's language: the printable page and the CSV headers, bokmål and English."""

from __future__ import annotations

import csv
import io

from language.current import using
from readmodel.documents import report_html
from readmodel.records import RecordReader
from readmodel.reports import CSV_COLUMNS, cohort_report, report_csv
from readmodel.timeline import cohort_timeline_svg
from tests.readmodel.rows import COHORT, NOW


async def _report_in(reader: RecordReader, language: str) -> tuple[str, list[list[str]]]:
    records = await reader.records(await reader.periods(cohort=COHORT))
    report = cohort_report(COHORT, records, NOW)
    with using(language):  # type: ignore[arg-type]
        page = report_html(report, cohort_timeline_svg(records, NOW), NOW)
        sheet = list(csv.reader(io.StringIO(report_csv(report))))
    return page, sheet


async def test_the_report_in_bokmal(reader: RecordReader) -> None:
    page, sheet = await _report_in(reader, "nb")

    assert '<html lang="nb">' in page
    assert "<h1>Pulje 2027: framdrift</h1>" in page
    assert "<h2>Fordeling på faser</h2>" in page and "<h2>Møter og samlinger per skoleeier</h2>" in page
    assert "<caption>Veiledningsperioder per fase</caption>" in page
    assert "<th>skoleeier</th><th>fase</th><th>frist</th><th>veiledere</th>" in page
    assert "Phase distribution" not in page and "Cohort 2027" not in page
    assert sheet[0][:4] == ["Pulje", "Skoleeier-ID", "Skoleeier", "Fylke"]
    assert sheet[0][9] == "Forfalt"
    overdue = {row[1]: row[9] for row in sheet[1:]}
    assert overdue == {"3301": "nei", "3303": "ja", "4601": "nei"}


async def test_the_report_in_english(reader: RecordReader) -> None:
    page, sheet = await _report_in(reader, "en")

    assert '<html lang="en">' in page
    assert "<h1>Cohort 2027: progress</h1>" in page and "<h2>Phase distribution</h2>" in page
    assert "<caption>Periods per phase</caption>" in page
    assert sheet[0] == list(CSV_COLUMNS.values())
    assert sheet[0][:3] == ["Cohort", "Owner id", "School owner"]
    assert {row[1]: row[9] for row in sheet[1:]}["3303"] == "yes"


async def test_the_csv_has_the_same_cells_in_every_language_but_the_words(reader: RecordReader) -> None:
    _, nynorsk = await _report_in(reader, "nn")
    _, swedish = await _report_in(reader, "sv")

    assert nynorsk[0][1] == "Skuleeigar-ID" and swedish[0][1] == "Huvudmans-id"
    # Ids, numbers and ISO dates stay as data; only the headers and yes/no are words.
    assert [row[:9] for row in nynorsk[1:]] == [row[:9] for row in swedish[1:]]
