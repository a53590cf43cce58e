"""The cohort overview: one line per school owner, built from the record store's rows alone (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import calendar
from language.current import gettext as _
from readmodel.competence import competence_summary
from readmodel.records import CompetenceRow, GatheringRow, MeetingRow, PeriodRecords, PeriodRow

#: Dates are shown and "today" is read in Norwegian time, as the plans read them.
DISPLAY_TIMEZONE = "Europe/Oslo"
DISPLAY_ZONE = ZoneInfo(DISPLAY_TIMEZONE)


def deadline_day(moment: datetime) -> date:
    """The day a deadline (a phase's due date, a period's end) closes, in Norwegian time: the engine's rule."""
    return calendar.deadline_day(moment, DISPLAY_TIMEZONE)


def local_today(now: datetime) -> date:
    """The date in Norway at the moment `now` (an aware datetime)."""
    return now.astimezone(DISPLAY_ZONE).date()


def is_overdue(period: PeriodRow, now: datetime) -> bool:
    """Overdue by the snapshot, or because its due moment has passed since (the snapshot may lag a timer)."""
    if not period.is_open:
        return False
    return period.overdue or (period.phase_due_at is not None and period.phase_due_at <= now)


def is_at_risk(period: PeriodRow, now: datetime) -> bool:
    """The state ``at_risk``: past the moment its plan warns (`PeriodRow.at_risk_at`), and not yet overdue."""
    if not period.is_open or period.at_risk_at is None or is_overdue(period, now):
        return False
    return period.at_risk_at <= now


def days_in_phase(period: PeriodRow, today: date) -> int | None:
    """Days since the current phase began; None before the period has begun and once it has ended."""
    if not period.is_open or today < period.start_date:
        return None
    return (today - period.phase_started_on).days


@dataclass(frozen=True)
class OverviewLine:
    """One owner's line of the cohort overview."""

    period: PeriodRow
    days_in_phase: int | None
    overdue: bool
    last_meeting: MeetingRow | None
    next_meeting: MeetingRow | None
    next_gathering: GatheringRow | None
    #: Its plan's early warning has passed and the phase is not closed, nor yet overdue.
    at_risk: bool = False
    #: The competence environments of the period's current cycle.
    competence: tuple[CompetenceRow, ...] = ()

    @property
    def competence_text(self) -> str:
        """The environments agreed by name, else how many are under way (`readmodel.competence`)."""
        return competence_summary(list(self.competence))

    @property
    def days_in_phase_text(self) -> str:
        """The days as a person reads them: a number, or why there is none (not begun yet, or ended)."""
        if self.days_in_phase is not None:
            return str(self.days_in_phase)
        return _("ended") if not self.period.is_open else _("not started")


def last_meeting(meetings: list[MeetingRow], now: datetime) -> MeetingRow | None:
    held = [m for m in meetings if m.starts_at <= now]
    return max(held, key=lambda m: m.starts_at, default=None)


def next_meeting(meetings: list[MeetingRow], now: datetime) -> MeetingRow | None:
    coming = [m for m in meetings if m.starts_at > now]
    return min(coming, key=lambda m: m.starts_at, default=None)


def next_gathering(gatherings: list[GatheringRow], today: date) -> GatheringRow | None:
    coming = [g for g in gatherings if g.gathering_date >= today]
    return min(coming, key=lambda g: g.gathering_date, default=None)


def overview_lines(records: PeriodRecords, now: datetime) -> list[OverviewLine]:
    """The overview of `records.periods` in their order, as things stand at `now`."""
    today = local_today(now)
    return [
        OverviewLine(
            period=p,
            days_in_phase=days_in_phase(p, today),
            overdue=is_overdue(p, now),
            last_meeting=last_meeting(records.standing_meetings_of(p.workflow_id), now),
            next_meeting=next_meeting(records.standing_meetings_of(p.workflow_id), now),
            next_gathering=next_gathering(records.gatherings_of(p.workflow_id), today),
            at_risk=is_at_risk(p, now),
            competence=tuple(records.current_competence_of(p)),
        )
        for p in records.periods
    ]
