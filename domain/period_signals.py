"""Which signals a period leaves out: each held to the rules of the update it stands for.

A signal cannot be rejected: it is in the period's history once sent, from the period's cohort or from any
Temporal client. So each is checked as it is handled, by the rules the matching update is checked by, and one
that breaks them changes nothing (the workflow logs why): no record, no state, no invitation. A national
gathering (`GatheringInvitation`) is held to `add_gathering`'s rules, a network meeting (`NetworkMeeting`) to
`schedule_network_meeting`'s, and both to the period's own bounds; a repeat (same id, no higher sequence)
changes nothing either. Pure: "now" is an argument; each function answers why the signal is left out, or None.
"""

from __future__ import annotations

from datetime import datetime

from domain import calendar
from domain.contract import cohort_workflow_id
from domain.gatherings import check_gathering_date
from domain.models import MAX_MEETINGS, MAX_PERIOD_GATHERINGS, GatheringInvitation, NetworkMeeting, PeriodState
from domain.period import Rejection, ends_on, today
from domain.phases import is_terminal


def gathering_left_out(state: PeriodState, invitation: GatheringInvitation, now: datetime) -> str | None:
    """Why a gathering invitation changes nothing: an ended period, a day `add_gathering` refuses (not a working
    day after today), a day after the period's end, a repeat, or one gathering too many."""
    if is_terminal(state.phase):
        return f"the period has ended ({state.phase})"
    try:
        check_gathering_date(invitation.date, today(state, now), state.plan)
    except Rejection as rejection:
        return str(rejection)
    if invitation.date > ends_on(state):
        return f"date: {invitation.date} is after the period's end ({ends_on(state)})"
    known = next((g for g in state.gatherings if g.gathering_id == invitation.gathering_id), None)
    if known is not None and known.sequence >= invitation.sequence:
        return f"gathering {known.gathering_id} is already at sequence {known.sequence}"
    if known is None and len(state.gatherings) >= MAX_PERIOD_GATHERINGS:
        return f"the period keeps {len(state.gatherings)} gatherings, the most it may"
    return None


def network_meeting_left_out(state: PeriodState, meeting: NetworkMeeting, now: datetime) -> str | None:
    """Why a network meeting changes nothing: the period is not in that network, the meeting is in the past or not
    on a working day (as `schedule_network_meeting` refuses), or one meeting too many. (The period cannot tell
    whether the adviser advises another owner of the network, as the cohort allows; an adviser id it checks.)"""
    if state.input.network is None:
        return "the period belongs to no network"
    if meeting.network != state.input.network:
        return f"network: the period belongs to network {state.input.network}, not {meeting.network}"
    if datetime.combine(meeting.date, meeting.start, tzinfo=calendar.zone(state.plan.timezone)) <= now:
        return f"date: {meeting.date.isoformat()} {meeting.start:%H:%M} is in the past"
    reason = calendar.why_not_working_day(meeting.date, state.plan.calendar_country)
    if reason is not None:
        return f"date: {reason}; meetings fall on working days"
    known = any(m.meeting_id == meeting.meeting_id for m in state.meetings)
    if not known and len(state.meetings) >= MAX_MEETINGS:
        return f"the period holds {len(state.meetings)} meetings, the most it may"
    return None  # the rest (an ended period, after its end, a repeat) `period.apply_network_meeting` says


def progress_cohort_left_out(state: PeriodState, cohort_id: str) -> str | None:
    """Why a `report_progress_to` signal changes nothing: it names a workflow other than the period's cohort, which
    the period would otherwise signal with its progress."""
    own = cohort_workflow_id(state.input.cohort)
    if cohort_id != own:
        return f"{cohort_id!r} is not the workflow of the period's cohort ({own!r})"
    return None
