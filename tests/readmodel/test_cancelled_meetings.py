"""A cancelled meeting stays listed but stands for nothing: not the next meeting, not planned, not on the timeline,
and the task list asks for a meeting again (the cohort of tests.readmodel.rows, Drammen's 6 April meeting cancelled)."""

from __future__ import annotations

from datetime import date

import asyncpg

from readmodel.overview import overview_lines
from readmodel.records import RecordReader
from readmodel.reports import cohort_report
from readmodel.tasks import adviser_tasks
from readmodel.timeline import cohort_timeline_svg
from tests.readmodel.rows import COHORT, DRAMMEN, NOW

CANCEL = "UPDATE meetings SET cancelled_at = $2, sequence = sequence + 1 WHERE workflow_id = $1 AND meeting_date = $3"


async def test_a_cancelled_meeting_is_listed_but_neither_planned_nor_drawn(
    pool: asyncpg.Pool, reader: RecordReader
) -> None:
    before = await reader.records(await reader.periods(cohort=COHORT))
    drawn_before = cohort_timeline_svg(before, NOW).count('class="meeting"')
    await pool.execute(CANCEL, DRAMMEN.workflow_id, NOW, date(2027, 4, 6))

    records = await reader.records(await reader.periods(cohort=COHORT))
    drammen = next(line for line in overview_lines(records, NOW) if line.period.owner_id == DRAMMEN.owner_id)
    owner = next(o for o in cohort_report(COHORT, records, NOW).owners if o.period.owner_id == DRAMMEN.owner_id)
    tasks = [(t.kind, t.period.owner_id) for t in adviser_tasks(records, NOW)]

    listed = records.meetings_of(DRAMMEN.workflow_id)
    assert [m.meeting_date for m in listed if m.cancelled_at is not None] == [date(2027, 4, 6)]
    assert drammen.next_meeting is None
    assert (owner.meetings_held, owner.meetings_planned) == (2, 0)
    assert cohort_timeline_svg(records, NOW).count('class="meeting"') == drawn_before - 1
    assert ("meeting", DRAMMEN.owner_id) in tasks
