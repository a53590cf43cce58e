"""A period's competence environments in the read model: the overview's and the report's summary per owner (those
agreed by name, else how many are under way), the CSV cell, and the printable report's column."""

from __future__ import annotations

import csv
import io
from datetime import date

import asyncpg

from language.current import using
from readmodel.competence import competence_lines
from readmodel.documents import report_html
from readmodel.overview import overview_lines
from readmodel.records import RecordReader
from readmodel.reports import cohort_report, report_csv
from readmodel.timeline import cohort_timeline_svg
from tests.readmodel.rows import BERGEN, COHORT, DRAMMEN, NOW, Period

INSERT = """
INSERT INTO competence_environments (workflow_id, cycle, environment_id, name, kind, development_area, state,
                                     proposed_on, contacted_on, agreed_on, note, adviser, updated_at)
VALUES ($1, $2, $3, $4, $5, 'basic_skills', $6, $7, $8, $9, '', 'c.berg', now())
"""


async def _environment(
    pool: asyncpg.Pool, p: Period, environment_id: str, name: str, state: str, days: list[date], cycle: int = 1
) -> None:
    contacted, agreed = [*days[1:], None, None][:2]
    await pool.execute(
        INSERT, p.workflow_id, cycle, environment_id, name, "national_centre", state, days[0], contacted, agreed
    )


async def test_the_overview_and_report_name_the_agreed_environment_or_count_those_under_way(
    pool: asyncpg.Pool, reader: RecordReader
) -> None:
    await _environment(
        pool,
        BERGEN,
        "lesesenteret",
        "Lesesenteret",
        "agreed",
        [date(2027, 3, 23), date(2027, 3, 24), date(2027, 3, 29)],
    )
    await _environment(pool, BERGEN, "skrivesenteret", "Skrivesenteret", "proposed", [date(2027, 3, 23)])
    await _environment(pool, DRAMMEN, "statped", "Statped", "contacted", [date(2027, 3, 11), date(2027, 3, 15)])
    await _environment(pool, DRAMMEN, "uio", "Universitetet i Oslo", "proposed", [date(2027, 3, 11)])
    await _environment(pool, DRAMMEN, "nafo", "NAFO", "agreed", [date(2026, 9, 1)] * 3, cycle=2)
    records = await reader.records(await reader.periods(cohort=COHORT))

    with using("en"):
        lines = {line.period.owner_id: line.competence_text for line in overview_lines(records, NOW)}
        report = cohort_report(COHORT, records, NOW)
        sheet = report_csv(report)
        page = report_html(report, cohort_timeline_svg(records, NOW), NOW)
    with using("nb"):
        in_norwegian = {line.period.owner_id: line.competence_text for line in overview_lines(records, NOW)}

    # Bergen agreed with Lesesenteret; Drammen (cycle 1) has one proposed and one contacted, its cycle 2 row aside.
    assert lines == {"3301": "1 proposed, 1 contacted", "3303": "—", "4601": "Lesesenteret"}
    assert in_norwegian["3301"] == "1 foreslått, 1 kontaktet"
    rows = {row["Owner id"]: row for row in csv.DictReader(io.StringIO(sheet))}
    assert rows["4601"]["Competence environments"] == (
        "Lesesenteret (agreed 2027-03-29); Skrivesenteret (proposed 2027-03-23)"
    )
    assert rows["3303"]["Competence environments"] == ""
    per_owner = page.split('id="per-owner"', 1)[1].split("</table>", 1)[0]
    assert "<td>Lesesenteret</td>" in per_owner and "<td>1 proposed, 1 contacted</td>" in per_owner
    # The period page's lines carry the register's contact (none for an id the register does not have).
    lines_of_bergen = competence_lines(records.competence_of(BERGEN.workflow_id))
    assert [(line.row.environment_id, line.contact and line.contact.web) for line in lines_of_bergen] == [
        ("lesesenteret", "https://www.uis.no/nb/lesesenteret"),
        ("skrivesenteret", "https://skrivesenteret.no"),
    ]
