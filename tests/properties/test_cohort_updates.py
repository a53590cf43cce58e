"""Generated bad input to `CohortWorkflow`'s updates: respond_to_invitation, add_gathering, move_gathering and
schedule_network_meeting.

Each example goes through the client as JSON to a real worker on the time-skipping server, to a cohort of
eleven owners (three of them already running their periods, two of those in a network). An update is accepted
(and its answer shows it) or rejected with a message naming the field; a rejected update leaves no trace in
the cohort's history and no change in its status; no example fails a workflow task of the cohort or of the
periods it runs.
"""

from __future__ import annotations

from hypothesis import assume, given, note

from domain import calendar
from domain.cohort import CohortStatus, InvitationState, RespondToInvitation, ScheduleNetworkMeeting
from domain.gatherings import AddGathering, MoveGathering
from tests.helpers.harness import CohortHandle
from tests.properties import messages
from tests.properties.benches import CohortBench
from tests.properties.hostile import Json, resolve
from tests.properties.probe import (
    Answer,
    Decoded,
    check_answer,
    check_history,
    decode_like_worker,
    history,
    send_update,
    workflow_task_failures,
)
from workflows.cohort import CohortWorkflow

#: Fields of the cohort's state a validator may name: a cohort from before gatherings takes no gathering.
STATE_FIELDS = ("cohort",)
CohortUpdate = RespondToInvitation | AddGathering | MoveGathering | ScheduleNetworkMeeting


async def send(
    cohorts: CohortBench, handle: CohortHandle, name: str, drawn: Json, model: type[CohortUpdate]
) -> tuple[CohortStatus, Decoded, Answer]:
    """Send the drawn payload as update `name` and check what every update must do; the status before it,
    the payload as the worker decoded it and the answer are the caller's to check further."""
    before = await cohorts.cohort_settled(handle, all_sent=True)
    payload = resolve(drawn, messages.cohort_context(before, await cohorts.today()))
    note(f"payload: {payload!r:.2000}")
    decoded = decode_like_worker(payload, model)
    # Known bug: a meeting whose start has a time zone breaks a period's status beside one without
    # (test_known_bugs.py); the cohort passes network meetings on to its periods.
    assume(getattr(getattr(decoded.value, "start", None), "tzinfo", None) is None)
    # Known bug: a date in or after the working-day calendar's last year is rejected without naming the field.
    assume(getattr(getattr(decoded.value, "date", None), "year", 0) < calendar.LAST_YEAR)

    answer = await send_update(handle, name, payload, CohortStatus)
    note(f"answer: {answer.failures or 'accepted'}")

    check_answer(answer, decoded, model, payload, state_fields=STATE_FIELDS)
    await check_history(handle, answer)
    if not answer.accepted:
        assert await handle.query(CohortWorkflow.status) == before
    return before, decoded, answer


async def check_periods(cohorts: CohortBench, status: CohortStatus) -> None:
    """No workflow task of a period the cohort started has failed, and each answers its status query."""
    for invitation in status.invitations:
        if invitation.period_started:
            handle = cohorts.client.get_workflow_handle(invitation.period_workflow_id)
            assert not workflow_task_failures(await history(handle)), invitation.period_workflow_id


@given(drawn=messages.RESPOND_TO_INVITATION)
async def test_respond_to_invitation(cohorts: CohortBench, drawn: Json) -> None:
    async with cohorts.example() as handle:
        before, decoded, answer = await send(cohorts, handle, "respond_to_invitation", drawn, RespondToInvitation)
        if answer.accepted:
            after: CohortStatus = answer.result
            request: RespondToInvitation = decoded.value
            [entry] = [i for i in after.invitations if i.owner_id == request.owner_id]
            expected = InvitationState.ACCEPTED if request.answer == "accept" else InvitationState.DECLINED
            assert (entry.state, entry.answered_by) == (expected, request.by)
            assert [i for i in after.invitations if i.owner_id != request.owner_id] == [
                i for i in before.invitations if i.owner_id != request.owner_id
            ]
            await check_periods(cohorts, await cohorts.cohort_settled(handle, all_sent=True))


@given(drawn=messages.ADD_GATHERING)
async def test_add_gathering(cohorts: CohortBench, drawn: Json) -> None:
    async with cohorts.example() as handle:
        before, decoded, answer = await send(cohorts, handle, "add_gathering", drawn, AddGathering)
        if answer.accepted:
            after: CohortStatus = answer.result
            request: AddGathering = decoded.value
            known = {g.gathering_id for g in before.gatherings}
            [added] = [g for g in after.gatherings if g.gathering_id not in known]
            assert (added.title, added.date, added.added_by) == (request.title, request.date, request.by)
            assert added.place == (request.place or cohorts.plan.gathering_place)
            assert len(after.gatherings) == len(before.gatherings) + 1
            await check_periods(cohorts, await cohorts.cohort_settled(handle, all_sent=True))


@given(drawn=messages.MOVE_GATHERING)
async def test_move_gathering(cohorts: CohortBench, drawn: Json) -> None:
    async with cohorts.example() as handle:
        before, decoded, answer = await send(cohorts, handle, "move_gathering", drawn, MoveGathering)
        if answer.accepted:
            after: CohortStatus = answer.result
            request: MoveGathering = decoded.value
            [old] = [g for g in before.gatherings if g.gathering_id == request.gathering_id]
            [moved] = [g for g in after.gatherings if g.gathering_id == request.gathering_id]
            assert (moved.date, moved.sequence) == (request.date, old.sequence + 1)
            assert moved.place == (request.place or old.place)
            assert len(after.gatherings) == len(before.gatherings)
            await check_periods(cohorts, await cohorts.cohort_settled(handle, all_sent=True))


@given(drawn=messages.SCHEDULE_NETWORK_MEETING)
async def test_schedule_network_meeting(cohorts: CohortBench, drawn: Json) -> None:
    async with cohorts.example() as handle:
        before, decoded, answer = await send(cohorts, handle, "schedule_network_meeting", drawn, ScheduleNetworkMeeting)
        if answer.accepted:
            after: CohortStatus = answer.result
            request: ScheduleNetworkMeeting = decoded.value
            if request.meeting_id is None:
                assert len(after.network_meetings) == len(before.network_meetings) + 1
                meeting = after.network_meetings[-1]
            else:
                [meeting] = [m for m in after.network_meetings if m.meeting_id == request.meeting_id]
            assert (meeting.network, meeting.date, meeting.start, meeting.adviser) == (
                request.network,
                request.date,
                request.start,
                request.adviser,
            )
            await check_periods(cohorts, await cohorts.cohort_settled(handle, all_sent=True))
