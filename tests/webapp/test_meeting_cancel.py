"""The period page's "Cancel meeting" form beside each meeting ahead: the real workflow on the time-skipping server,
its records in PostgreSQL, the web app on both (the fixtures of test_period_actions)."""

from __future__ import annotations

import httpx

from activities.record_store import RecordStore
from domain.models import ScheduleMeeting
from starter import client as api
from tests.helpers.harness import Harness
from tests.helpers.waits import wait_for
from tests.webapp.test_period_actions import PeriodWeb, period_web

CANCELLED = "SELECT cancelled_at FROM meetings WHERE workflow_id = $1 AND meeting_id = $2"


async def _meeting_ahead(period: PeriodWeb, harness: Harness, store: RecordStore) -> str:
    """A meeting agreed after the web app's clock (NOW, 1 April 2027), once the record store has it."""
    day = await harness.working_day_in(120)
    request = ScheduleMeeting.model_validate(
        {"kind": "follow_up", "date": day.isoformat(), "adviser": "b.olsen", "title": "Skolebesøk"}
    )
    meeting_id = (await api.schedule_meeting(period.temporal, period.workflow_id, request)).created
    assert meeting_id is not None

    async def stored() -> bool:
        return await store.pool.fetchrow(CANCELLED, period.workflow_id, meeting_id) is not None

    await wait_for(stored, f"meeting {meeting_id} in the record store")
    return meeting_id


def _form(page: httpx.Response, meeting_id: str) -> str:
    return page.text.split(f'id="cancel-{meeting_id}-form"', 1)[1].split("</form>", 1)[0]


async def test_an_adviser_cancels_a_meeting_from_the_period_page(store: RecordStore, harness: Harness) -> None:
    async with period_web(store, harness) as period:
        period.http.headers["Accept-Language"] = "en"  # the flash and the form's words read in English below
        meeting_id = await _meeting_ahead(period, harness, store)
        token = await period.as_user("a.hansen")
        page = await period.http.get(period.page)
        in_norwegian = await period.http.get(period.page, headers={"Accept-Language": "nb"})
        form = _form(page, meeting_id)
        no_token = await period.http.post(f"{period.page}/meetings/{meeting_id}/cancel", data={"reason": "x"})
        done = await period.http.post(
            f"{period.page}/meetings/{meeting_id}/cancel",
            data={"reason": "The school is closed", "csrftoken": token},
            follow_redirects=True,
        )

        async def cancelled() -> bool:
            return await store.pool.fetchval(CANCELLED, period.workflow_id, meeting_id) is not None

        await wait_for(cancelled, f"meeting {meeting_id} marked cancelled")
        shown = await period.http.get(period.page)
        # The same form posted again from a page opened before: the workflow refuses it, the page says why.
        again = await period.http.post(
            f"{period.page}/meetings/{meeting_id}/cancel", data={"reason": "", "csrftoken": token}
        )
        status = await api.period_status(period.temporal, period.workflow_id)

    assert "Skolebesøk" in form and 'name="csrftoken"' in form and ">Cancel meeting<" in form
    assert 'name="adviser"' not in form  # an adviser cancels as themself
    assert ">Avlys møte<" in in_norwegian.text
    assert no_token.status_code == 403 and "did not match" in no_token.text
    assert done.status_code == 200 and "Cancelled the meeting on" in done.text
    assert f'id="cancel-{meeting_id}-form"' not in shown.text
    assert '<strong class="flag">cancelled</strong>' in shown.text
    assert again.status_code == 422
    summary = again.text.split(f'id="cancel-{meeting_id}-errors"', 1)[1].split("</div>", 1)[0]
    assert f"{meeting_id} was cancelled on" in summary
    [meeting] = [m for m in status.meetings if m.meeting_id == meeting_id]
    assert meeting.cancelled_at is not None and meeting.sequence == 1
    audit = shown.text.split('id="audit-log"', 1)[1]
    assert "meeting cancelled: The school is closed" in audit


async def test_a_coordinator_cancels_in_the_name_of_the_meetings_adviser_and_an_outsider_may_not(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        period.http.headers["Accept-Language"] = "en"
        meeting_id = await _meeting_ahead(period, harness, store)
        token = await period.as_user("c.berg")  # an adviser, not of this period
        outsider = await period.http.post(
            f"{period.page}/meetings/{meeting_id}/cancel", data={"reason": "", "csrftoken": token}
        )
        token = await period.as_user("coordinator")
        form = _form(await period.http.get(period.page), meeting_id)
        unknown = await period.http.post(
            f"{period.page}/meetings/m99/cancel", data={"adviser": "b.olsen", "csrftoken": token}
        )
        done = await period.http.post(
            f"{period.page}/meetings/{meeting_id}/cancel",
            data={"adviser": "b.olsen", "reason": "", "csrftoken": token},
            follow_redirects=True,
        )
        status = await api.period_status(period.temporal, period.workflow_id)

    assert outsider.status_code == 403
    assert 'name="adviser" value="b.olsen"' in form
    assert unknown.status_code == 422
    summary = unknown.text.split('id="cancel-m99-errors"', 1)[1].split("</div>", 1)[0]
    assert "&#39;m99&#39; is not a meeting of this period" in summary
    assert done.status_code == 200 and "Cancelled the meeting on" in done.text
    [meeting] = [m for m in status.meetings if m.meeting_id == meeting_id]
    assert meeting.cancelled_at is not None
