"""An adviser's task list: milestones due and overdue, meetings to schedule, gatherings coming (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from domain.period import meeting_gap_due_on
from language.current import gettext as _
from language.current import ngettext
from readmodel.labels import milestone_label, phase_label
from readmodel.overview import deadline_day, is_at_risk, is_overdue, local_today, next_meeting
from readmodel.plans import PlanFacts
from readmodel.records import PeriodRecords, PeriodRow

TaskKind = Literal["milestone", "meeting", "gathering"]


@dataclass(frozen=True)
class Task:
    """One thing to do for one period, by a date."""

    kind: TaskKind
    due_on: date
    overdue: bool
    period: PeriodRow
    text: str
    #: A milestone whose phase its plan warns is at risk (most of its time gone), not yet overdue.
    at_risk: bool = False


def meeting_due_on(period: PeriodRow, records: PeriodRecords, plan: PlanFacts) -> date:
    """When the period next needs a meeting: the engine's rule, from its last meeting (or its start)."""
    held = [m.meeting_date for m in records.standing_meetings_of(period.workflow_id)]
    reference = max([period.start_date, *held])
    return meeting_gap_due_on(reference, plan.meeting_gap_weeks, plan.calendar_country)


def adviser_tasks(records: PeriodRecords, now: datetime) -> list[Task]:
    """The tasks of the open periods in `records`, soonest due first (overdue ones are the soonest)."""
    today = local_today(now)
    tasks: list[Task] = []
    for period in records.periods:
        if not period.is_open:
            continue
        plan = records.plan_of(period)
        if period.phase_due_at is not None:
            milestone = plan.closing_milestone(period.phase)
            # The phase and milestone as the plan names them in the reader's language.
            what = (
                _("record %(milestone)s") % {"milestone": milestone_label(plan, milestone)}
                if milestone
                else _("close the phase")
            )
            tasks.append(
                Task(
                    kind="milestone",
                    due_on=deadline_day(period.phase_due_at),
                    overdue=is_overdue(period, now),
                    period=period,
                    text=f"{phase_label(plan, period.phase)}: {what}",
                    at_risk=is_at_risk(period, now),
                )
            )
        if next_meeting(records.standing_meetings_of(period.workflow_id), now) is None:
            due = meeting_due_on(period, records, plan)
            tasks.append(
                Task(
                    kind="meeting",
                    due_on=due,
                    overdue=due < today,
                    period=period,
                    text=ngettext(
                        "schedule a meeting (none planned; one is due every %(num)s week)",
                        "schedule a meeting (none planned; one is due every %(num)s weeks)",
                        plan.meeting_gap_weeks,
                    )
                    % {"num": plan.meeting_gap_weeks},
                )
            )
        for gathering in records.gatherings_of(period.workflow_id):
            if gathering.gathering_date >= today:
                where = f", {gathering.place}" if gathering.place else ""
                tasks.append(
                    Task(
                        kind="gathering",
                        due_on=gathering.gathering_date,
                        overdue=False,
                        period=period,
                        text=f"{gathering.title}{where}",
                    )
                )
    return sorted(tasks, key=lambda t: (t.due_on, t.period.owner_name, t.kind))
