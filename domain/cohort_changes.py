"""What each change to a cohort causes: the state moves (`domain.cohort`, `domain.gatherings`), the records
to write and the signals to send to its periods.

The workflow calls one function here per event and only queues the `Effects` that come back.
"""

from __future__ import annotations

from datetime import datetime

from domain import cohort as rules
from domain import gatherings as gathering_rules
from domain.contract import Activities
from domain.effects import Effects, Occasion
from domain.records import GatheringGuest, InvitationEvent, InvitationRecord, NationalGatheringRecord, PeriodsStarted

#: Guests per gathering record: one record per chunk keeps each write's transaction short in a large cohort.
GUESTS_PER_RECORD = 100


def opened(state: rules.CohortState, at: Occasion) -> Effects:
    """A new cohort: an invitation to every owner; those that accepted beforehand are recorded as accepted."""
    effects = Effects()
    for entry in state.invitations:
        if entry.state == rules.InvitationState.ACCEPTED:
            by = entry.answered_by or "system"
            _invitation(effects, state, at, entry, "accepted", by, f"invitation:{entry.owner_id}:accepted")
        else:
            _invitation(effects, state, at, entry, "invited", "system", "invited")
    return effects


def response(state: rules.CohortState, request: rules.RespondToInvitation, at: Occasion) -> Effects:
    """An accepted answer; an acceptance queues the owner's period to be started."""
    entry = rules.apply_response(state, request, at.now)
    event: InvitationEvent = "accepted" if request.answer == "accept" else "declined"
    effects = Effects()
    _invitation(effects, state, at, entry, event, request.by, at.key)
    return effects


def deadlines_passed(state: rules.CohortState, at: Occasion) -> Effects:
    """The deadlines that have passed, earliest first: reminders, no replies, gatherings whose invitations are due."""
    effects = Effects()
    deadline = rules.next_deadline(state)
    while deadline is not None and deadline.at <= at.now:
        if deadline.kind == "reminder":
            for entry in rules.apply_reminders(state, at.now):
                _invitation(effects, state, at, entry, "reminded", "system", "reminded")
        elif deadline.kind == "no_reply":
            for entry in rules.apply_no_reply(state, at.now):
                _invitation(effects, state, at, entry, "no_reply", "system", "no_reply")
        else:
            gathering = gathering_rules.next_to_send(state.gatherings, state.plan)
            assert gathering is not None
            guests = rules.apply_send_gathering(state, gathering)
            effects.signals.extend(rules.gathering_signal(entry, gathering) for entry in guests)
            key = f"{gathering.gathering_id}:{gathering.sequence}"
            chunks = [guests[i : i + GUESTS_PER_RECORD] for i in range(0, len(guests), GUESTS_PER_RECORD)]
            for number, chunk in enumerate(chunks or [[]]):
                _gathering(effects, state, at, gathering, chunk, key if number == 0 else f"{key}:{number}")
        deadline = rules.next_deadline(state)
    return effects


def periods_started(state: rules.CohortState, owner_ids: list[str], result: PeriodsStarted, at: Occasion) -> Effects:
    """Periods of the cohort run: each gets the sent gatherings and the network meetings still ahead."""
    effects = Effects()
    for owner_id in owner_ids:
        entry = rules.invitation(state, owner_id)
        assert entry is not None
        rules.apply_period_started(state, entry, at.now)
        if entry.period_workflow_id in result.already_closed:
            # A period of this id had ended before (the cohort would wait for it for ever otherwise).
            entry.period_ended = True
        state.starts_pending.remove(owner_id)
        gatherings, meetings = rules.catch_up(state, entry, at.now)
        effects.signals.extend(rules.gathering_signal(entry, g) for g in gatherings)
        effects.signals.extend(rules.network_signal(entry, m) for m in meetings)
        for gathering in gatherings:
            key = f"{gathering.gathering_id}:{gathering.sequence}:{owner_id}"
            _gathering(effects, state, at, gathering, [entry], key)
    return effects


def gathering_added(state: rules.CohortState, request: gathering_rules.AddGathering) -> Effects:
    """A gathering added; its invitations go out when the plan says (`deadlines_passed`)."""
    return Effects(created=gathering_rules.apply_add(state.gatherings, request, state.plan).gathering_id)


def gathering_moved(state: rules.CohortState, request: gathering_rules.MoveGathering) -> Effects:
    """A gathering moved; owners already invited get the same event again, with a higher sequence."""
    return Effects(created=gathering_rules.apply_move(state.gatherings, request, state.plan).gathering_id)


def network_meeting(state: rules.CohortState, request: rules.ScheduleNetworkMeeting) -> Effects:
    """A network meeting agreed or moved, sent to every live period of the network."""
    meeting = rules.apply_network_meeting(state, request)
    signals = [rules.network_signal(entry, meeting) for entry in rules.live_periods(state, request.network)]
    return Effects(signals=signals, created=meeting.meeting_id)


def network_meeting_cancelled(state: rules.CohortState, request: rules.CancelNetworkMeeting, now: datetime) -> Effects:
    """A network meeting cancelled: every live period of the network cancels its copy and sends the CANCEL."""
    meeting = rules.apply_cancel_network_meeting(state, request, now)
    signals = [rules.network_signal(entry, meeting) for entry in rules.live_periods(state, request.network)]
    return Effects(signals=signals, created=meeting.meeting_id)


def _invitation(
    effects: Effects,
    state: rules.CohortState,
    at: Occasion,
    entry: rules.Invitation,
    event: InvitationEvent,
    by: str,
    key: str,
) -> None:
    chosen = rules.owner_of(state, entry.owner_id)
    accepted = entry.state == rules.InvitationState.ACCEPTED
    effects.add(
        Activities.RECORD_INVITATION,
        InvitationRecord(
            workflow_id=at.workflow_id,
            cohort=state.input.cohort,
            owner_id=entry.owner_id,
            owner_name=entry.owner_name,
            owner_kind=chosen.owner.kind,
            county=entry.county,
            advisers=list(chosen.advisers),
            network=chosen.network,
            event=event,
            state=str(entry.state),
            reply_by=rules.reply_by(state),
            no_reply_on=rules.no_reply_on(state),
            start_date=state.input.start_date,
            answered_by=entry.answered_by,
            period_workflow_id=entry.period_workflow_id if accepted else None,
            updated_at=at.now,
            audit=at.audit(
                f"invitation:{entry.owner_id}:{event}" if by == "system" else key,
                by,
                f"invitation {event}",
                owner_id=entry.owner_id,
            ),
        ),
        f"invitation {event}: {entry.owner_name}",
    )


def _gathering(
    effects: Effects,
    state: rules.CohortState,
    at: Occasion,
    gathering: gathering_rules.NationalGathering,
    guests: list[rules.Invitation],
    key: str,
) -> None:
    """The gathering's row and one calendar file per guest."""
    effects.add(
        Activities.RECORD_NATIONAL_GATHERING,
        NationalGatheringRecord(
            workflow_id=at.workflow_id,
            cohort=state.input.cohort,
            gathering_id=gathering.gathering_id,
            title=gathering.title,
            date=gathering.date,
            place=gathering.place,
            sequence=gathering.sequence,
            timezone=state.plan.timezone,
            guests=[
                GatheringGuest(
                    owner_id=g.owner_id,
                    owner_name=g.owner_name,
                    county=g.county,
                    advisers=rules.advisers_of(rules.owner_of(state, g.owner_id), g),
                    period_workflow_id=g.period_workflow_id,
                )
                for g in guests
            ],
            audit=at.audit(
                f"gathering:{key}",
                gathering.changed_by,
                "gathering invitations" if len(guests) != 1 else "gathering invitation (late joiner)",
                gathering_id=gathering.gathering_id,
                guests=len(guests),
                date=str(gathering.date),
            ),
        ),
        f"invite {len(guests)} owners to {gathering.title} {gathering.date}",
    )
