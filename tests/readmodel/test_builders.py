"""The overview, task list, timeline and report builders on real record-store rows (tests.readmodel.rows)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from config.settings import resolve_plan
from domain.gatherings import NationalGathering
from language.current import using
from readmodel.documents import report_html
from readmodel.overview import overview_lines
from readmodel.records import RecordReader
from readmodel.reports import cohort_report, report_csv
from readmodel.tasks import adviser_tasks
from readmodel.timeline import CHART_WIDTH, LABEL_WIDTH, cohort_timeline_svg, phase_bars, timeline_rows
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


async def test_the_timeline_tells_phases_apart_without_colour_and_has_a_text_alternative(
    reader: RecordReader,
) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))

    svg = ET.fromstring(cohort_timeline_svg(records, NOW, title="Cohort 2027"))

    assert svg.get("aria-labelledby") == "timeline-title timeline-desc"
    assert svg.findtext(f"{SVG}title") == "Cohort 2027" and "phases as bars" in svg.findtext(f"{SVG}desc", "")
    patterns = {p.get("id"): p for p in svg.iter(f"{SVG}pattern")}
    marks = [next((m.get("d") for m in p.iter(f"{SVG}path")), "") for p in patterns.values()]
    assert len(set(marks)) == len(marks), "each phase has a pattern of its own"
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "phase"]
    assert bars and all((r.get("fill") or "").removeprefix("url(#").removesuffix(")") in patterns for r in bars)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "phase-label"]
    assert len(labels) == len(bars), "every bar has its phase's name or legend number"
    assert "mapping" in labels or "1" in labels
    legend = [t.text or "" for t in svg.iter(f"{SVG}text")]
    assert "1 mapping" in legend and "2 anchoring" in legend, "the legend names each number"

    rows = timeline_rows(records, NOW)
    bergen = [r for r in rows if r.owner == f"{BERGEN.owner_name} ({BERGEN.owner_id})"]
    assert [(r.phase, r.start, r.status) for r in bergen] == [
        ("mapping", date(2027, 1, 4), "done"),
        ("anchoring", date(2027, 2, 1), "done"),
        ("development_area", date(2027, 3, 1), "done"),
        ("goal_prioritisation", date(2027, 3, 22), bergen[-1].status),
    ]
    assert bergen[0].end == date(2027, 2, 1) and bergen[-1].status in ("current", "overdue")
    page = report_html(cohort_report(COHORT, records, NOW), cohort_timeline_svg(records, NOW), NOW, rows)
    table = page.split('id="timeline-table"', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="timeline-') == len(rows) and "04.01.2027" in table


async def test_the_cohort_report_counts_phases_overdue_meetings_gatherings_and_areas(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))

    report = cohort_report(COHORT, records, NOW)

    assert report.phase_distribution == [("mapping", 1), ("anchoring", 1), ("goal_prioritisation", 1)]
    assert [o.period.owner_id for o in report.overdue] == ["3303"]
    assert report.development_areas == [("basic_skills", 1)]
    with using("en"):
        sheet = report_csv(report)
    rows = {row["Owner id"]: row for row in csv.DictReader(io.StringIO(sheet))}
    assert rows["3301"]["Meetings held"] == "2" and rows["3301"]["Meetings planned"] == "1"
    assert rows["3301"]["Gatherings attended"] == "1", "the winter gathering has passed, the spring one not"
    assert rows["3303"]["Overdue"] == "yes" and rows["3303"]["Phase due on"] == "2027-03-15"
    assert rows["3301"]["Advisers"] == "a.hansen; b.olsen"
    assert rows["4601"]["Development area"] == "basic_skills"


async def test_the_timeline_spans_each_periods_whole_planned_thirty_months(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))
    plan_months = resolve_plan("veilederkorpset").max_months

    svg = ET.fromstring(cohort_timeline_svg(records, NOW))

    assert plan_months == 30
    months = [t.text for t in svg.iter(f"{SVG}text") if t.text and re.fullmatch(r"[A-Z][a-z]{2} \d{4}", t.text)]
    # From a week before the first start (4 January 2027) to the periods' planned end, 30 months on (3 July 2029);
    # a label of a quarter is drawn where it fits (July 2029 begins two days before the right edge).
    assert months[0] == "Jan 2027" and months[-1] == "Apr 2029" and len(months) == 10
    spans = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "period-span"]
    assert [r.findtext(f"{SVG}title") for r in spans] == ["planned period 2027-01-04 to 2029-07-03"] * 3
    right_edge = LABEL_WIDTH + CHART_WIDTH
    assert all(float(r.get("x", "0")) + float(r.get("width", "0")) == pytest.approx(right_edge) for r in spans)
    due = [r.findtext(f"{SVG}title") for r in svg.iter(f"{SVG}rect") if r.get("class") == "phase-due"]
    assert due == ["anchoring due 05.05.2027", "goal_prioritisation due 03.05.2027"], "Kongsberg's due date has passed"


async def test_the_timeline_marks_a_planned_gathering_across_every_row(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))
    autumn = NationalGathering(
        gathering_id="2027-autumn",
        title="Autumn gathering",
        invite_on=date(2027, 8, 30),
        date=date(2027, 10, 12),
        place="Trondheim",
    )

    svg = ET.fromstring(cohort_timeline_svg(records, NOW, planned=[autumn]))

    marks = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "planned-gathering"]
    assert [m.get("data-date") for m in marks] == ["2027-10-12"]
    assert marks[0].findtext(f"{SVG}title") == (
        "national gathering 2027-10-12: Autumn gathering, Trondheim (invitations go out 2027-08-30)"
    )
    line = marks[0].find(f"{SVG}line")
    assert line is not None and float(line.get("y2", "0")) > float(line.get("y1", "0")) + 3 * 26 - 10, "every row"
    assert "national gathering (planned)" in [t.text for t in svg.iter(f"{SVG}text")]


async def test_the_charts_count_what_the_overview_counts(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))
    lines = overview_lines(records, NOW)

    with using("en"):  # the charts speak the current language
        phases, overdue = cohort_report(COHORT, records, NOW).charts

        assert dict(phases.bars) == Counter(line.period.phase for line in lines)
        assert sum(count for _, count in overdue.bars) == sum(1 for line in lines if line.overdue) == 1
        assert dict(overdue.bars) == {"mapping": 1, "anchoring": 0, "goal_prioritisation": 0}
        drawn = ET.fromstring(phases.svg)
        assert drawn.get("role") == "img" and drawn.findtext(f"{SVG}title") == "Periods per phase"
        bars = {
            r.get("data-label"): int(r.get("data-count", "-1"))
            for r in drawn.iter(f"{SVG}rect")
            if r.get("class") == "bar"
        }
        assert bars == dict(phases.bars)
        texts = [t.text for t in drawn.iter(f"{SVG}text")]
        assert all(label in texts for label in bars), "each bar carries its name in text, not colour alone"
        assert drawn.findtext(f"{SVG}desc") == (
            "Periods per phase. mapping: 1, anchoring: 1, goal_prioritisation: 1. In all 3 periods."
        )


async def test_a_period_that_has_not_begun_has_no_days_in_phase(reader: RecordReader) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))
    before_the_start = datetime.combine(DRAMMEN.start_date - timedelta(days=31), time(10), tzinfo=UTC)

    lines = {line.period.owner_id: line for line in overview_lines(records, before_the_start)}

    assert lines[DRAMMEN.owner_id].days_in_phase is None  # not -31
    assert lines[DRAMMEN.owner_id].days_in_phase_text == "not started"  # not "ended"


async def test_the_printable_report_has_the_charts_with_their_numbers_and_the_planned_gatherings(
    reader: RecordReader,
) -> None:
    records = await reader.records(await reader.periods(cohort=COHORT))
    autumn = NationalGathering(
        gathering_id="2027-autumn",
        title="Autumn gathering",
        invite_on=date(2027, 8, 30),
        date=date(2027, 10, 12),
        place="Trondheim",
    )
    report = cohort_report(COHORT, records, NOW)

    page = report_html(report, cohort_timeline_svg(records, NOW, planned=[autumn]), NOW)

    for chart in report.charts:
        assert f'id="{chart.chart_id}"' in page and f'id="{chart.chart_id}-numbers"' in page
    numbers = page.split('id="phase-chart-numbers"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td></tr>", numbers) == [
        (phase, str(count)) for phase, count in report.phase_distribution
    ]
    assert 'class="planned-gathering" data-date="2027-10-12"' in page
