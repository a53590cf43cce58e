"""The overview, task list, timeline and report builders on real record-store rows (tests.readmodel.rows)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta

from readmodel.overview import overview_lines
from readmodel.records import RecordReader
from readmodel.reports import cohort_report, report_csv
from readmodel.tasks import adviser_tasks
from readmodel.timeline import cohort_timeline_svg, phase_bars
from tests.readmodel.rows import BERGEN, COHORT, DRAMMEN, KONGSBERG, NOW

SVG = "{http://www.w3.org/2000/svg}"


async def test_the_overview_gives_each_owner_phase_days_overdue_meetings_and_next_gathering(
    reader: RecordReader,
) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))

    lines = {line.period.owner_id: line for line in overview_lines(records, NOW)}

    drammen = lines[DRAMMEN.owner_id]
    assert (drammen.period.phase, drammen.days_in_phase, drammen.overdue) == ("anchoring", 22, False)
    assert drammen.last_meeting is not None and drammen.last_meeting.meeting_date == date(2027, 3, 2)
    assert drammen.next_meeting is not None and drammen.next_meeting.meeting_date == date(2027, 4, 6)
    assert drammen.next_gathering is not None and drammen.next_gathering.gathering_date == date(2027, 5, 11)
    kongsberg = lines[KONGSBERG.owner_id]
    assert kongsberg.overdue and kongsberg.last_meeting is None and kongsberg.next_meeting is None


async def test_the_filters_narrow_the_cohort_by_county_and_adviser(reader: RecordReader) -> None:
    assert [p.owner_id for p in await reader.periods(cohort=COHORT, county="33")] == ["3301", "3303"]
    assert [p.owner_id for p in await reader.periods(cohort=COHORT, adviser="b.olsen")] == ["3301", "3303"]
    assert [p.owner_id for p in await reader.periods(adviser="c.berg", county="33")] == []


async def test_an_advisers_tasks_are_sorted_by_due_date_with_overdue_milestones_and_missing_meetings(
    reader: RecordReader,
) -> None:
    records = await reader.records(await reader.periods(adviser="b.olsen"))

    tasks = [(t.due_on, t.kind, t.period.owner_id, t.overdue) for t in adviser_tasks(records, NOW)]

    assert tasks == [
        (date(2027, 3, 1), "meeting", "3303", True),  # no meeting since the start (4 Jan) + 8 weeks
        (date(2027, 3, 15), "milestone", "3303", True),
        (date(2027, 5, 5), "milestone", "3301", False),
        (date(2027, 5, 11), "gathering", "3301", False),
    ], "Drammen has a meeting planned (6 April), so no meeting task; its past winter gathering is no task"
    assert "mapping_done" in next(t.text for t in adviser_tasks(records, NOW) if t.kind == "milestone")


async def test_the_timeline_draws_a_row_per_owner_with_phases_meetings_gatherings_and_today(
    reader: RecordReader,
) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))

    svg = ET.fromstring(cohort_timeline_svg(records, NOW, title="Cohort 2027"))

    texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
    assert any(t.startswith("Kongsberg (3303)") and "overdue" in t for t in texts)
    assert "today 01.04.2027" in texts
    classes = [e.get("class") for e in svg.iter()]
    assert classes.count("meeting") == 4 and classes.count("gathering") == 3 and classes.count("today") == 1
    bergen = next(p for p in records.periods if p.owner_id == BERGEN.owner_id)
    bergen_bars = [(b.phase, b.start, b.end) for b in phase_bars(bergen, records, date(2027, 4, 1))]
    assert bergen_bars == [
        ("mapping", date(2027, 1, 4), date(2027, 2, 1)),
        ("anchoring", date(2027, 2, 1), date(2027, 3, 1)),
        ("development_area", date(2027, 3, 1), date(2027, 3, 22)),
        ("goal_prioritisation", date(2027, 3, 22), date(2027, 4, 1)),
    ]
    fills = {r.findtext(f"{SVG}title", "").split(":")[0]: r.get("fill") for r in svg.iter(f"{SVG}rect")}
    assert len({fills["mapping"], fills["anchoring"], fills["development_area"]}) == 3, "each phase its colour"


async def test_the_cohort_report_counts_phases_overdue_meetings_gatherings_and_areas(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))

    report = cohort_report(COHORT, records, NOW)

    assert report.phase_distribution == [("mapping", 1), ("anchoring", 1), ("goal_prioritisation", 1)]
    assert [o.period.owner_id for o in report.overdue] == ["3303"]
    assert report.development_areas == [("basic_skills", 1)]
    rows = {row["owner_id"]: row for row in csv.DictReader(io.StringIO(report_csv(report)))}
    assert rows["3301"]["meetings_held"] == "2" and rows["3301"]["meetings_planned"] == "1"
    assert rows["3301"]["gatherings_attended"] == "1", "the winter gathering has passed, the spring one not"
    assert rows["3303"]["overdue"] == "yes" and rows["3303"]["phase_due_on"] == "2027-03-15"
    assert rows["3301"]["advisers"] == "a.hansen; b.olsen"
    assert rows["4601"]["development_area"] == "basic_skills"


async def test_the_timeline_spans_the_coming_weeks_not_the_whole_thirty_months(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))

    svg = ET.fromstring(cohort_timeline_svg(records, NOW))

    months = [t.text for t in svg.iter(f"{SVG}text") if t.text and t.text[:3] in ("Jan", "May", "Jun", "Jul")]
    # From a week before the first start to two weeks past today + 8 weeks (27 May), later than any plan.
    assert months == ["Jan 2027", "May 2027", "Jun 2027"]
    due = [r.findtext(f"{SVG}title") for r in svg.iter(f"{SVG}rect") if r.get("class") == "phase-due"]
    assert due == ["anchoring due 05.05.2027", "goal_prioritisation due 03.05.2027"], "Kongsberg's due date has passed"


async def test_a_period_that_has_not_begun_has_no_days_in_phase(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))
    before_the_start = datetime.combine(DRAMMEN.start_date - timedelta(days=31), time(10), tzinfo=UTC)

    lines = {line.period.owner_id: line for line in overview_lines(records, before_the_start)}

    assert lines[DRAMMEN.owner_id].days_in_phase is None  # not -31
