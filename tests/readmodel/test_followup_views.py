"""The follow-up scheme in the read model, on real record-store rows: a period whose phase is at risk (its plan's
early warning passed, not yet overdue) in the overview, the task list, the timeline and the report, and the
partner and report its milestones recorded in the report."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import asyncpg

from domain.calendar import end_of_day
from language.current import using
from readmodel.documents import report_html
from readmodel.overview import overview_lines
from readmodel.records import RecordReader
from readmodel.reports import cohort_report, report_csv
from readmodel.tasks import adviser_tasks
from readmodel.timeline import cohort_timeline_svg, timeline_rows
from tests.readmodel.rows import NOW, ZONE, Period, insert_period

COHORT = "2027f"
TROMSO = Period(
    "5501",
    "Tromsø",
    "55",
    ["d.lie"],
    "preliminary_report",
    date(2027, 3, 8),
    end_of_day(date(2027, 4, 19), ZONE),
    cohort=COHORT,
)
#: Half of the report's six weeks: past on `NOW` (1 April), the report due 19 April.
WARNED_AT = end_of_day(date(2027, 3, 29), ZONE)


async def _followup_rows(pool: asyncpg.Pool) -> None:
    await insert_period(pool, TROMSO)
    await pool.execute(
        "UPDATE periods SET plan = 'oppfolgingsordningen', at_risk_at = $2 WHERE workflow_id = $1",
        TROMSO.workflow_id,
        WARNED_AT,
    )
    for milestone, day, extra in (
        ("support_agreed", date(2027, 3, 8), ("expert_partner", "Nord universitet", None, None)),
        ("year_two_report_received", date(2027, 3, 9), (None, None, date(2027, 3, 5), "2027/88-3")),
    ):
        await pool.execute(
            "INSERT INTO milestones (workflow_id, cycle, milestone, adviser, note, recorded_at, development_area, "
            "goals, partner, partner_name, report_date, report_ref) "
            "VALUES ($1, 1, $2, 'd.lie', '', $3, NULL, '{}', $4, $5, $6, $7)",
            TROMSO.workflow_id,
            milestone,
            datetime.combine(day, datetime.min.time()).astimezone(),
            *extra,
        )


async def test_a_phase_past_its_warning_is_at_risk_in_the_overview_tasks_timeline_and_report(
    pool: asyncpg.Pool, reader: RecordReader
) -> None:
    await _followup_rows(pool)
    records = await reader.records(await reader.periods(cohort=COHORT))

    (line,) = overview_lines(records, NOW)
    assert (line.at_risk, line.overdue) == (True, False)
    assert [(t.kind, t.at_risk) for t in adviser_tasks(records, NOW) if t.kind == "milestone"] == [("milestone", True)]
    assert timeline_rows(records, NOW)[-1].status == "at_risk"
    report = cohort_report(COHORT, records, NOW)
    assert [o.period.owner_id for o in report.at_risk] == ["5501"] and report.overdue == []
    with using("en"):
        (row,) = csv.DictReader(io.StringIO(report_csv(report)))
        page = report_html(report, cohort_timeline_svg(records, NOW), NOW, timeline_rows(records, NOW))
    assert (row["At risk"], row["Overdue"]) == ("yes", "no")
    assert 'id="at-risk"' in page and "in progress, at risk" in page
    assert "support from another expert partner: Nord universitet" in page
    assert "report handed in 2027-03-05, 2027/88-3" in page

    # Once its due day has passed it is overdue, no longer "at risk"; before the warning it is neither.
    later = NOW + timedelta(weeks=3)
    assert [(x.at_risk, x.overdue) for x in overview_lines(records, later)] == [(False, True)]
    assert [(x.at_risk, x.overdue) for x in overview_lines(records, WARNED_AT - timedelta(days=1))] == [(False, False)]


async def test_the_report_in_bokmal_names_the_partner_and_the_state(pool: asyncpg.Pool, reader: RecordReader) -> None:
    await _followup_rows(pool)
    records = await reader.records(await reader.periods(cohort=COHORT))
    with using("nb"):
        page = report_html(cohort_report(COHORT, records, NOW), "", NOW, timeline_rows(records, NOW))
    assert "støtte fra en annen faginstans: Nord universitet" in page
    assert "pågår, risiko for forsinkelse" in page and "Rapport etter forprosjektet" in page
