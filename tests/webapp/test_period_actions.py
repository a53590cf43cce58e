"""The period page's withdraw and change-of-advisers forms, and its audit log: the real workflow on the time-skipping
server, served by a worker of the real record store (PostgreSQL), and the web app on both.

Who may act is checked before anything is sent: an adviser of another period, or an adviser on the coordinators'
form, gets 403; a form without its CSRF token is refused.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from temporalio.client import Client

from activities.record_store import RecordStore
from activities.registry import all_activities
from domain.contract import ADVISERS
from domain.models import PeriodInput
from language import formats
from language.current import using
from readmodel.overview import DISPLAY_ZONE
from readmodel.records import PeriodRow, RecordReader
from starter import client as api
from tests.helpers.harness import Harness
from tests.helpers.waits import wait_for
from tests.readmodel.rows import NOW
from tests.webapp.conftest import SECRET
from tests.webapp.test_pages import _csrf, sign_in
from webapp.app import WebApp, create_app
from webapp.pages import OWN_CHANGE_SECONDS
from webapp.settings import WebSettings
from webapp.users import UserDirectory
from worker import build_worker


@dataclass
class PeriodWeb:
    """A period of a.hansen and b.olsen whose records go to the test's record store, and the web app on both."""

    workflow_id: str
    http: httpx.AsyncClient
    reader: RecordReader
    temporal: Client
    #: The web app's clock (moved by `later`) and how often it has asked for its Temporal client (to send an update
    #: or ask a workflow).
    now: datetime = NOW
    temporal_asked: int = 0

    def later(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    @property
    def page(self) -> str:
        return f"/periods/{self.workflow_id}"

    async def row_where(self, holds: str, check: Callable[[PeriodRow], bool]) -> PeriodRow:
        """The period's row once `check(row)` holds (the workflow writes its records after it has answered)."""
        row: PeriodRow | None = None

        async def written() -> bool:
            nonlocal row
            row = await self.reader.period(self.workflow_id)
            return row is not None and check(row)

        await wait_for(written, f"the record store's row of {self.workflow_id}: {holds}")
        assert row is not None
        return row

    async def as_user(self, name: str) -> str:
        """Sign in as `name`; the CSRF token of their forms."""
        password = "coordinator-dev" if name == "coordinator" else "adviser-dev"
        await sign_in(self.http, name, password)
        return _csrf(await self.http.get("/tasks"))


@contextlib.asynccontextmanager
async def period_web(
    store: RecordStore, harness: Harness, period_input: PeriodInput | None = None
) -> AsyncIterator[PeriodWeb]:
    """The period (`period_input`, else the harness's default period) and the web app on it."""
    task_queue = f"test-web-{uuid.uuid4()}"
    async with build_worker(harness.client, all_activities(store), task_queue=task_queue):
        started = period_input or await harness.period_input()
        handle = await api.start_period(harness.client, started, task_queue=task_queue)
        harness.track(handle.id, at_once=True)  # its worker stops with this block
        reader = RecordReader(store.pool)

        async def temporal() -> Client:
            period.temporal_asked += 1
            return harness.client

        web = WebApp(
            reader=reader,
            temporal=temporal,
            users=UserDirectory.development(),
            settings=WebSettings(_env_file=None, secret=SECRET),
            secret=SECRET,
            clock=lambda: period.now,
            task_queue=task_queue,
        )
        transport = httpx.ASGITransport(app=create_app(web))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers={"Accept-Language": "en"}
        ) as http:
            period = PeriodWeb(handle.id, http, reader, harness.client)
            await period.row_where("started", lambda row: True)
            yield period


def _error(page: httpx.Response, form: str, field: str) -> str:
    found = re.search(rf'id="{form}-{field}-error"[^>]*>([^<]+)<', page.text)
    assert found is not None, f"no error beside {form} {field}"
    return found.group(1)


def _audit_rows(page: httpx.Response) -> list[list[str]]:
    table = page.text.split('id="audit-log"', 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", table)]


async def test_a_persons_own_change_is_asked_of_the_workflow_and_every_other_view_reads_the_record_store(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        token = await period.as_user("a.hansen")
        asked = period.temporal_asked
        first = await period.http.get(period.page)
        assert 'id="phase">Mapping and analysis<' in first.text
        assert period.temporal_asked == asked, "a view of the period reads the record store alone"

        recorded = await period.http.post(
            f"{period.page}/milestone",
            data={"csrftoken": token, "milestone": "mapping_done", "note": ""},
            follow_redirects=True,
        )
        # The update, then the page after it, which asks the workflow: its records may not be written yet.
        assert period.temporal_asked == asked + 2
        assert 'id="flash"' in recorded.text and 'id="phase">Anchoring<' in recorded.text
        assert "the phase shown is the record store" not in recorded.text

        await period.row_where("in anchoring", lambda row: row.phase == "anchoring")
        period.later(OWN_CHANGE_SECONDS - 1)
        await period.http.get(period.page)
        assert period.temporal_asked == asked + 3, "while the change is fresh, the person's views ask the workflow"
        period.later(2)
        settled = await period.http.get(period.page)
        assert period.temporal_asked == asked + 3 and 'id="phase">Anchoring<' in settled.text

        await period.as_user("b.olsen")  # another person, who changed nothing
        theirs = await period.http.get(period.page)
        assert period.temporal_asked == asked + 3 and 'id="phase">Anchoring<' in theirs.text


async def test_an_adviser_withdraws_their_period_and_the_page_shows_why_and_when_it_ended(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        token = await period.as_user("a.hansen")
        page = await period.http.get(period.page)
        assert 'id="withdraw-form"' in page.text and "It cannot be undone" in page.text
        assert 'id="advisers-form"' not in page.text  # a coordinator's form

        no_reason = await period.http.post(
            f"{period.page}/withdraw", data={"reason": "  ", "confirm": "on", "csrftoken": token}
        )
        unconfirmed = await period.http.post(
            f"{period.page}/withdraw", data={"reason": "merged municipality", "csrftoken": token}
        )
        done = await period.http.post(
            f"{period.page}/withdraw",
            data={"reason": "merged municipality", "confirm": "on", "csrftoken": token},
            follow_redirects=True,
        )
        row = await period.row_where("withdrawn", lambda row: row.ended_at is not None)
        shown = await period.http.get(period.page)

    assert no_reason.status_code == 422 and "at least 1 character" in _error(no_reason, "withdraw", "reason")
    assert unconfirmed.status_code == 422 and "tick the box" in _error(unconfirmed, "withdraw", "confirm")
    assert "merged municipality" in unconfirmed.text  # what was typed is kept
    assert done.status_code == 200 and "Withdrew Drammen from the programme" in done.text
    assert row.end_reason == "withdrawn by a.hansen: merged municipality"
    ended = row.ended_at.astimezone(DISPLAY_ZONE).strftime("%d/%m/%Y") if row.ended_at else ""
    assert f'<dd id="ended">{ended}: withdrawn by a.hansen: merged municipality</dd>' in shown.text
    # The period's dates end on the day it ended; the planned end is only a muted aside.
    started = f"{row.start_date:%d/%m/%Y}"
    assert re.search(rf'id="period-dates">{started} to {ended}\s*<span class="muted">\(planned to ', shown.text)
    assert 'id="phase">Withdrawn<' in shown.text  # the end, said in the page's language (English here)
    assert 'id="withdraw-form"' not in shown.text and 'id="milestone-form"' not in shown.text
    audit = _audit_rows(shown)
    assert ["a.hansen", "withdrawn: merged municipality", ""] in [r[1:] for r in audit]
    assert audit[-1][1:3] == ["system", "period started"]  # newest first


async def test_a_coordinator_changes_the_advisers_and_who_may_open_the_period_follows(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        token = await period.as_user("coordinator")
        page = await period.http.get(period.page)
        form = page.text.split('id="advisers-form"', 1)[1].split("</form>", 1)[0]
        unchanged = await period.http.post(  # in English: the refusal then reads as the workflow words it
            f"{period.page}/advisers",
            data={"advisers": "b.olsen, a.hansen", "csrftoken": token},
            headers={"Accept-Language": "en"},
        )
        empty = await period.http.post(f"{period.page}/advisers", data={"advisers": " , ", "csrftoken": token})
        changed = await period.http.post(
            f"{period.page}/advisers",
            data={"advisers": "a.hansen, c.berg", "reason": "b.olsen on leave", "csrftoken": token},
            follow_redirects=True,
        )
        await period.row_where("new advisers", lambda row: row.advisers == ["a.hansen", "c.berg"])
        shown = await period.http.get(period.page)

        await period.as_user("b.olsen")
        left_out = await period.http.get(period.page)
        await period.as_user("c.berg")
        added = await period.http.get(period.page)
        handle = period.temporal.get_workflow_handle(period.workflow_id)

        async def visible() -> bool:
            return (await handle.describe()).typed_search_attributes.get(ADVISERS) == ["a.hansen", "c.berg"]

        await wait_for(visible, "Temporal's visibility has the new advisers")

    assert 'value="a.hansen, b.olsen"' in form  # the form starts from the advisers the period has
    assert unchanged.status_code == 422
    assert "already has exactly these advisers (a.hansen, b.olsen)" in _error(unchanged, "advisers", "advisers")
    assert empty.status_code == 422 and "at least 1 item" in _error(empty, "advisers", "advisers")
    assert changed.status_code == 200 and "The advisers of Drammen are now a.hansen, c.berg." in changed.text
    assert (_audit_rows(shown)[0][1:]) == [
        "coordinator",
        "advisers changed",
        "a.hansen, b.olsen → a.hansen, c.berg; reason: b.olsen on leave",
    ]
    assert left_out.status_code == 403 and "b.olsen is not an adviser of Drammen" in left_out.text
    assert added.status_code == 200 and 'id="withdraw-form"' in added.text


async def test_only_the_periods_advisers_and_the_coordinators_act_and_every_form_needs_its_token(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        token = await period.as_user("c.berg")  # an adviser, not of this period
        other_withdraws = await period.http.post(
            f"{period.page}/withdraw", data={"reason": "x", "confirm": "on", "csrftoken": token}
        )
        other_opens = await period.http.get(period.page)

        token = await period.as_user("a.hansen")  # the period's adviser, on the coordinators' form
        adviser_reassigns = await period.http.post(
            f"{period.page}/advisers", data={"advisers": "a.hansen", "csrftoken": token}
        )
        no_token = await period.http.post(f"{period.page}/withdraw", data={"reason": "x", "confirm": "on"})
        await sign_in(period.http, "coordinator", "coordinator-dev")
        no_token_advisers = await period.http.post(f"{period.page}/advisers", data={"advisers": "c.berg"})
        status = await api.period_status(period.temporal, period.workflow_id)

    assert other_withdraws.status_code == 403 and "c.berg is not an adviser of Drammen" in other_withdraws.text
    assert other_opens.status_code == 403
    assert adviser_reassigns.status_code == 403 and "only a coordinator" in adviser_reassigns.text
    assert no_token.status_code == 403 and "did not match" in no_token.text
    assert no_token_advisers.status_code == 403 and "did not match" in no_token_advisers.text
    assert (status.phase, status.advisers) == ("mapping", ["a.hansen", "b.olsen"])  # nothing was sent


async def test_a_refused_meeting_is_said_in_bokmal_with_the_weekday_and_the_next_working_day(
    store: RecordStore, harness: Harness
) -> None:
    # The workflow refuses in English with a code and params (history unchanged); the page says it in bokmål.
    saturday = await harness.weekend_day_in(14)
    monday = saturday + timedelta(days=2)  # a plain Saturday: the Monday after is no holiday either
    async with period_web(store, harness) as period:
        token = await period.as_user("a.hansen")
        meeting = {"kind": "follow_up", "date": saturday.isoformat(), "start": "09:00", "duration_minutes": "120"}
        refused = await period.http.post(
            f"{period.page}/meeting",
            data={**meeting, "title": "Oppfølging", "meeting_id": "", "csrftoken": token},
            headers={"Accept-Language": "nb"},
        )
        in_english = await period.http.post(
            f"{period.page}/meeting",
            data={**meeting, "title": "", "meeting_id": "", "csrftoken": token},
            headers={"Accept-Language": "en"},
        )

    with using("nb"):
        day, next_day = formats.long_day(saturday), formats.long_day(monday)
    assert day.startswith("lørdag ") and next_day.startswith("mandag ")  # e.g. mandag 7. des. 2026
    assert refused.status_code == 422
    assert _error(refused, "meeting", "date") == (
        # The field's label first (webapp/form_errors.py), then the rule.
        f"Dato: {day} er ikke en virkedag; møter legges til virkedager; neste virkedag er {next_day}"
    )
    assert "Oppfølging" in refused.text  # what was typed is kept
    # In English the page says the workflow's own words, as it always did.
    assert in_english.status_code == 422
    assert _error(in_english, "meeting", "date") == (
        f"Date: {saturday.isoformat()} is a Saturday; meetings fall on working days; the next working day is {monday}"
    )
