"""National gatherings of a cohort (samlinger): planned from the plan, added or moved by a coordinator.

The Directorate invites the owners of a cohort to national gatherings (seed 002). The plan says when:
a start gathering some weeks after the periods start, one every `gathering_every_months` months, and a
closing gathering some weeks before the periods end, each on a working day of the plan's country.
Invitations go out `gathering_invite_weeks` before a gathering; a moved gathering is sent again with a
higher sequence, so calendars update the event they already hold. Pure: "today" is an argument.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel

from domain import calendar
from domain.models import CalendarDay, ShortText, Title, _Message
from domain.period import Rejection, not_working_day
from domain.programme import ProgrammePlan

#: Invitations to a gathering go out at this local time on their day.
INVITATIONS_AT = time(8, 0)
#: No cohort holds more gatherings than this (bounds its state and history).
MAX_GATHERINGS = 60


class NationalGathering(BaseModel):
    """One national gathering of a cohort and how far its invitations have gone."""

    gathering_id: str
    title: str
    invite_on: date  # before `date`, whose name would hide the type below it
    date: date
    place: str
    sequence: int = 0
    #: The sequence the owners were last invited with; None until the invitations go out.
    sent_sequence: int | None = None
    added_by: str = "plan"
    #: Who last moved it (None: never moved).
    moved_by: str | None = None

    @property
    def changed_by(self) -> str:
        """Whom the invitations' audit rows name: who last moved or added it, else the Directorate (the plan)."""
        if self.moved_by is not None:
            return self.moved_by
        return self.added_by if self.added_by != "plan" else "directorate"

    @property
    def needs_sending(self) -> bool:
        return self.sent_sequence != self.sequence


class AddGathering(_Message):
    """Update `add_gathering`: a coordinator adds a national gathering to the cohort."""

    title: ShortText
    date: CalendarDay
    place: Title = ""
    by: ShortText


class MoveGathering(_Message):
    """Update `move_gathering`: a coordinator moves a gathering (and may change its place)."""

    gathering_id: ShortText
    date: CalendarDay
    place: Title | None = None
    by: ShortText


def plan_gatherings(start_date: date, plan: ProgrammePlan) -> list[NationalGathering]:
    """The gatherings the plan gives a cohort whose periods start on `start_date`."""
    country = plan.calendar_country
    ends_on = calendar.add_months(start_date, plan.max_months)
    start = calendar.next_working_day(start_date + timedelta(weeks=plan.gathering_start_weeks), country)
    closing = calendar.previous_working_day(ends_on - timedelta(weeks=plan.gathering_closing_weeks), country)
    days: list[tuple[str, str, date]] = [("start", "Start gathering", start)]
    if plan.gathering_every_months:
        month = plan.gathering_every_months
        while True:
            day = calendar.next_working_day(calendar.add_months(start_date, month), country)
            if day >= closing:
                break
            if day > start:
                days.append((f"month-{month}", f"National gathering, month {month}", day))
            month += plan.gathering_every_months
    if closing > start:
        days.append(("closing", "Closing gathering", closing))
    return [
        NationalGathering(
            gathering_id=gathering_id,
            title=title,
            date=day,
            place=plan.gathering_place,
            invite_on=invite_on(day, plan),
        )
        for gathering_id, title, day in days
    ]


def invite_on(day: date, plan: ProgrammePlan) -> date:
    """The working day invitations to a gathering on `day` go out."""
    return calendar.previous_working_day(day - timedelta(weeks=plan.gathering_invite_weeks), plan.calendar_country)


def invite_at(gathering: NationalGathering, plan: ProgrammePlan) -> datetime:
    return datetime.combine(gathering.invite_on, INVITATIONS_AT, tzinfo=calendar.zone(plan.timezone))


def check_gathering_date(day: date, today: date, plan: ProgrammePlan) -> None:
    """A gathering lies on a working day after today.

    Raises:
        Rejection: On field ``date``, naming the next working day that is allowed.
    """
    country = plan.calendar_country
    first = calendar.next_working_day(today + timedelta(days=1), country)
    if day <= today:
        raise Rejection(
            "date",
            f"{day.isoformat()} is not after today ({today.isoformat()}); the first allowed is {first}",
            code="date.not_after_today",
            date=day.isoformat(),
            today=today.isoformat(),
            first=first.isoformat(),
        )
    not_working = not_working_day(day, country, "gatherings", next_day=calendar.next_working_day(day, country))
    if not_working is not None:
        raise not_working


def gathering(gatherings: list[NationalGathering], gathering_id: str) -> NationalGathering | None:
    return next((g for g in gatherings if g.gathering_id == gathering_id), None)


def check_move(gatherings: list[NationalGathering], request: MoveGathering, today: date, plan: ProgrammePlan) -> None:
    """Reject moving a gathering that is unknown or already held, or to a day that is not allowed."""
    entry = gathering(gatherings, request.gathering_id)
    if entry is None:
        known = ", ".join(g.gathering_id for g in gatherings) or "none"
        raise Rejection(
            "gathering_id",
            f"{request.gathering_id!r} is not a gathering of this cohort; known: {known}",
            code="gathering_id.unknown",
            gathering_id=request.gathering_id,
            known=[g.gathering_id for g in gatherings],
        )
    if entry.date <= today:
        raise Rejection(
            "gathering_id",
            f"{entry.gathering_id} was held on {entry.date.isoformat()}; it cannot be moved",
            code="gathering_id.held",
            gathering_id=entry.gathering_id,
            date=entry.date.isoformat(),
        )
    check_gathering_date(request.date, today, plan)


def check_add(gatherings: list[NationalGathering], request: AddGathering, today: date, plan: ProgrammePlan) -> None:
    """Reject a gathering on a day that is not allowed, or one too many."""
    if len(gatherings) >= MAX_GATHERINGS:
        raise Rejection(
            "date",
            f"the cohort has {len(gatherings)} gatherings, the most it may hold",
            code="date.too_many_gatherings",
            count=len(gatherings),
        )
    check_gathering_date(request.date, today, plan)


def apply_add(gatherings: list[NationalGathering], request: AddGathering, plan: ProgrammePlan) -> NationalGathering:
    """Add a gathering; its invitations go out on the usual day before it, or at once if that has passed."""
    added = sum(1 for g in gatherings if g.added_by != "plan")
    entry = NationalGathering(
        gathering_id=f"extra-{added + 1}",
        title=request.title,
        date=request.date,
        place=request.place or plan.gathering_place,
        invite_on=invite_on(request.date, plan),
        added_by=request.by,
    )
    gatherings.append(entry)
    gatherings.sort(key=lambda g: g.date)
    return entry


def apply_move(gatherings: list[NationalGathering], request: MoveGathering, plan: ProgrammePlan) -> NationalGathering:
    """Move a gathering: a new date (and place), a higher sequence; sent ones go out again."""
    entry = gathering(gatherings, request.gathering_id)
    assert entry is not None
    entry.date = request.date
    if request.place:
        entry.place = request.place
    entry.sequence += 1
    entry.moved_by = request.by
    if entry.sent_sequence is None:
        entry.invite_on = invite_on(request.date, plan)
    gatherings.sort(key=lambda g: g.date)
    return entry


def next_to_send(gatherings: list[NationalGathering], plan: ProgrammePlan) -> NationalGathering | None:
    """The gathering whose invitations are due next (sent ones that were moved are due at once)."""
    waiting = [g for g in gatherings if g.needs_sending]
    return min(waiting, key=lambda g: invite_at(g, plan), default=None)


def sent_upcoming(gatherings: list[NationalGathering], today: date) -> list[NationalGathering]:
    """Gatherings already sent that still lie ahead: a period that starts late is invited to them too."""
    return [g for g in gatherings if g.sent_sequence is not None and g.date > today]
