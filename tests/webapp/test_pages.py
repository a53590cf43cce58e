"""The web app over HTTP (no browser, no Temporal): signing in, who sees what, CSRF, feeds and reports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from icalendar import Calendar
from starlette.types import ASGIApp
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.record_store import RecordStore
from config.settings import resolve_plan
from domain.cohort import RespondToInvitation
from readmodel.records import RecordReader
from starter import cohorts as cohort_api
from tests.activities import factories
from tests.helpers.harness import Harness
from tests.readmodel.pdf import check_report_pdf
from tests.readmodel.rows import DRAMMEN, KONGSBERG, NOW
from tests.webapp.conftest import SECRET
from webapp.app import WebApp, create_app
from webapp.feeds import feed_token, owner_feed_address
from webapp.settings import WebSettings
from webapp.users import UserDirectory


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert found, "every form carries the CSRF token"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    form = await http.get("/login")
    return await http.post(
        "/login", data={"username": name, "password": password, "next": "/cohorts", "csrftoken": _csrf(form)}
    )


async def test_a_page_without_a_session_sends_the_person_to_sign_in_and_back(http: httpx.AsyncClient) -> None:
    answer = await http.get("/cohorts/2027?county=33")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcohorts%2F2027%3Fcounty%3D33"


async def test_a_wrong_password_is_refused_and_a_right_one_signs_in(http: httpx.AsyncClient) -> None:
    refused = await sign_in(http, "a.hansen", "not-the-password")
    assert refused.status_code == 401 and "wrong password" in refused.text

    accepted = await sign_in(http, "a.hansen", "adviser-dev")
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/cohorts")


async def test_a_form_without_its_csrf_token_is_refused(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")

    answer = await http.post(f"/periods/{DRAMMEN.workflow_id}/milestone", data={"milestone": "anchoring_done"})

    assert answer.status_code == 403 and "did not match" in answer.text
    in_bokmal = await http.post(
        f"/periods/{DRAMMEN.workflow_id}/milestone",
        data={"milestone": "anchoring_done"},
        headers={"Accept-Language": "nb"},
    )
    assert in_bokmal.status_code == 403 and "last inn siden på nytt" in in_bokmal.text, "said in the browser's language"


async def test_an_adviser_sees_their_own_periods_and_may_not_open_another_advisers(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")

    own = await http.get(f"/periods/{DRAMMEN.workflow_id}")
    other = await http.get(f"/periods/{KONGSBERG.workflow_id}")
    overview = await http.get("/cohorts/2027")

    assert own.status_code == 200 and 'id="phase">Anchoring<' in own.text  # the phase as the plan names it
    # Deadlines read as the day they close, as `guidance status` shows them (not the next day's midnight).
    assert "<dt>Due</dt><dd>05/05/2027" in own.text
    assert '<dt>Period</dt><dd id="period-dates">04/01/2027 to 03/07/2029</dd>' in own.text
    assert "http://localhost:8233/namespaces/default/workflows/guidance-period-2027-3301" in own.text
    assert other.status_code == 403 and "a.hansen is not an adviser of Kongsberg" in other.text
    assert "Drammen" in overview.text and "Kongsberg" not in overview.text


async def test_a_coordinator_sees_every_period_and_filters_by_county(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    everyone = await http.get("/cohorts/2027")
    county_46 = await http.get("/cohorts/2027?county=46")

    assert all(name in everyone.text for name in ("Drammen", "Kongsberg", "Bergen"))
    assert "Bergen" in county_46.text and "Drammen</a>" not in county_46.text
    assert (await http.get(f"/periods/{KONGSBERG.workflow_id}")).status_code == 200


async def test_the_report_comes_as_csv_and_as_a_printable_page(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    english = {"Accept-Language": "en"}
    sheet = await http.get("/cohorts/2027/report.csv", headers=english)
    page = await http.get("/cohorts/2027/report", headers=english)
    bokmal = await http.get("/cohorts/2027/report.csv", headers={"Accept-Language": "nb"})

    assert sheet.headers["content-type"].startswith("text/csv")
    # The CSV's headers are in the coordinator's language (the page's), the cells the same.
    owners = ["Drammen", "Kongsberg", "Bergen"]
    assert [row["School owner"] for row in csv.DictReader(io.StringIO(sheet.text))] == owners
    assert [row["Skoleeier"] for row in csv.DictReader(io.StringIO(bokmal.text))] == owners
    assert page.status_code == 200 and "<svg" in page.text and "Phase distribution" in page.text
    assert 'href="/cohorts/2027/report.pdf"' in page.text
    # People read dates in their language on the page (Kongsberg's overdue phase; British English here), machines
    # ISO ones in the CSV.
    assert "<td>15/03/2027</td>" in page.text and "2027-03-15" not in page.text
    assert "2027-03-15" in sheet.text and "15/03/2027" not in sheet.text and "15.03.2027" not in bokmal.text


async def test_the_pages_link_the_read_models_document_sheet_before_their_own(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/cohorts/2027/report")
    document = await http.get("/static/document.css")
    own = await http.get("/static/style.css")

    assert page.text.index('href="/static/document.css"') < page.text.index('href="/static/style.css"')
    assert document.status_code == 200 and "size: A4 landscape" in document.text
    assert own.status_code == 200 and "header.top" in own.text


async def test_the_report_page_links_its_pdf_which_an_adviser_gets_of_their_own_periods(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    await sign_in(http, "b.olsen", "adviser-dev")

    page = await http.get("/cohorts/2027/report?county=33")
    link = re.search(r'id="report-pdf" href="([^"]+)"', page.text)
    assert link and link.group(1) == "/cohorts/2027/report.pdf?county=33"
    printed = await http.get(link.group(1))

    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    assert 'filename="cohort-2027-progress.pdf"' in printed.headers["content-disposition"]
    saved = tmp_path / "report.pdf"
    saved.write_bytes(printed.content)
    # b.olsen advises Drammen and Kongsberg (both in county 33), so their PDF holds both; in the page's language
    # (English, as this test's client asks).
    check_report_pdf(printed.content, saved, owners=["Drammen", "Kongsberg"], language="en")


async def test_without_chromium_the_pdf_answers_503_with_what_to_install(
    http: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUIDANCE_CHROMIUM", str(tmp_path / "no-chromium-here"))
    await sign_in(http, "coordinator", "coordinator-dev")

    printed = await http.get("/cohorts/2027/report.pdf")

    assert printed.status_code == 503 and "could not make the PDF" in printed.text


async def test_an_advisers_feed_has_their_meetings_and_gatherings(http: httpx.AsyncClient) -> None:
    await sign_in(http, "b.olsen", "adviser-dev")
    tasks = await http.get("/tasks")
    link = re.search(r'id="adviser-feed" href="([^"]+)"', tasks.text)
    assert link, "the task list shows the adviser's feed address"
    http.cookies.clear()  # a calendar program subscribes without signing in

    feed = await http.get(link.group(1).replace("&amp;", "&"))

    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == [
        "Drammen: Anchoring plan",
        "Drammen: Data review",
        "Drammen: Kick-off",
        "Veilederkorpset: The school owner role",
        "Veilederkorpset: Winter gathering",
    ]
    moved = next(e for e in events if str(e["SUMMARY"]) == "Drammen: Anchoring plan")
    assert moved["UID"] == "guidance-period-2027-3301.m3@guidance-engine" and moved["SEQUENCE"] == 1
    start = moved.decoded("DTSTART")
    assert isinstance(start, datetime) and start.isoformat() == "2027-04-06T07:00:00+00:00"  # 09:00 in Oslo
    gathering = next(e for e in events if "school owner role" in str(e["SUMMARY"]))
    assert gathering.decoded("DTSTART") == date(2027, 5, 11)

    # The texts follow the language the calendar program asks for; the kinds are named as the plan names them.
    in_bokmal = Calendar.from_ical(
        (await http.get(link.group(1).replace("&amp;", "&"), headers={"Accept-Language": "nb"})).content
    )
    descriptions = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in in_bokmal.walk("VEVENT")}
    assert descriptions["Drammen: Kick-off"].startswith("Oppstartsmøte med Drammen (3301); veileder ")
    assert descriptions["Veilederkorpset: Winter gathering"].startswith("Nasjonal samling for pulje ")


@pytest.mark.parametrize(
    "address",
    [
        "/feeds/advisers/b.olsen.ics",
        "/feeds/advisers/b.olsen.ics?token=0123456789abcdef0123456789abcdef",
        f"/feeds/advisers/b.olsen.ics?token={feed_token(SECRET, 'adviser', 'a.hansen')}",
        f"/feeds/owners/3301.ics?token={feed_token(SECRET, 'adviser', '3301')}",
    ],
    ids=["no token", "a made-up token", "another adviser's token", "an adviser token for an owner feed"],
)
async def test_a_feed_with_a_wrong_token_is_not_found(http: httpx.AsyncClient, address: str) -> None:
    answer = await http.get(address)

    assert answer.status_code == 404 and "BEGIN:VCALENDAR" not in answer.text


async def test_a_school_owners_feed_opens_with_its_own_token(http: httpx.AsyncClient) -> None:
    # The address a period page gives its adviser (tests/webapp/test_hardening.py: what it holds, and what not).
    feed = await http.get(owner_feed_address(SECRET, "3301", "a.hansen"))

    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == 5 and all(
        "Drammen" in str(e["SUMMARY"]) or "gathering" in str(e["DESCRIPTION"]) for e in events
    )


async def test_an_advisers_task_list_puts_the_overdue_work_first(http: httpx.AsyncClient) -> None:
    await sign_in(http, "b.olsen", "adviser-dev")

    page = await http.get("/tasks")

    rows = re.findall(r'<tr class="task-(\w+)( overdue)?">\s*<td>([\d/]+)', page.text)
    assert rows == [
        ("meeting", " overdue", "01/03/2027"),
        ("milestone", " overdue", "15/03/2027"),
        ("milestone", "", "05/05/2027"),
        ("gathering", "", "11/05/2027"),
    ]


async def test_a_period_page_offers_the_closing_milestone_and_the_meetings_ahead(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")

    page = await http.get(f"/periods/{DRAMMEN.workflow_id}")

    milestone_form = page.text.split('id="milestone-form"', 1)[1].split("</form>", 1)[0]
    assert re.findall(
        r'<option value="([^"]+)"', milestone_form.split('id="milestone"', 1)[1].split("</select>")[0]
    ) == ["anchoring_done"]
    assert 'name="skipped"' not in milestone_form  # anchoring is not an optional phase
    moves = page.text.split('id="meeting_id"', 1)[1].split("</select>", 1)[0]
    # Today is 1 April 2027 (`rows.NOW`): only m3 on 6 April lies ahead.
    assert re.findall(r'<option value="([^"]*)"', moves) == ["", "m3"]
    assert "move 06/04/2027 09:00 Follow-up meeting: Anchoring plan" in moves  # the kind as the plan names it
    # The meeting form's date field keeps the ISO form a browser's date input reads.
    assert 'id="date" name="date" type="date" value=""' in page.text
    assert '<a class="muted" id="cohort-link" href="/cohorts/2027">' in page.text


async def test_a_withdrawn_period_shows_when_it_ended_and_why(http: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    await pool.execute(
        "UPDATE periods SET phase = 'withdrawn', ended_at = $2, end_reason = $3 WHERE workflow_id = $1",
        DRAMMEN.workflow_id,
        datetime(2027, 3, 31, 22, 30, tzinfo=UTC),  # 1 April in Oslo
        "withdrawn by coordinator: merged municipality",
    )
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get(f"/periods/{DRAMMEN.workflow_id}")

    assert '<dd id="ended">01/04/2027: withdrawn by coordinator: merged municipality</dd>' in page.text
    assert re.search(
        r'id="period-dates">04/01/2027 to 01/04/2027\s*<span class="muted">\(planned to 03/07/2029\)', page.text
    )
    assert 'id="milestone-form"' not in page.text
    assert "<dt>Days in phase</dt><dd>ended</dd>" in page.text


async def test_a_coordinators_task_list_shows_every_adviser_and_filters_by_one(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    every = await http.get("/tasks")

    assert every.status_code == 200
    assert "Tasks of every adviser" in every.text
    # The adviser filter's options (the header's language picker has options too).
    adviser_filter = every.text.split('<select id="adviser"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]*)"', adviser_filter)
    assert options == ["", "a.hansen", "b.olsen", "c.berg"]
    owners = set(re.findall(r'<a href="/periods/[^"]+">(\w+)</a>', every.text))
    assert owners == {"Drammen", "Kongsberg", "Bergen"}
    assert 'id="adviser-feed"' not in every.text  # a feed belongs to one adviser

    one = await http.get("/tasks", params={"adviser": "c.berg"})

    assert set(re.findall(r'<a href="/periods/[^"]+">(\w+)</a>', one.text)) == {"Bergen"}
    assert '<option value="c.berg" selected>' in one.text
    assert 'id="adviser-feed"' in one.text


async def test_a_gathering_task_names_the_gathering_once(http: httpx.AsyncClient) -> None:
    await sign_in(http, "b.olsen", "adviser-dev")

    page = await http.get("/tasks")

    row = re.search(r'<tr class="task-gathering">(.*?)</tr>', page.text, re.DOTALL)
    assert row is not None
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.DOTALL)]
    assert cells[-2:] == ["gathering", "The school owner role, Oslo"]


async def test_the_task_list_reads_the_plan_version_a_period_runs_not_todays_file(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    # The version the cohort's periods started on expected a meeting every 4 weeks; today's file says 8.
    started_on = resolve_plan("veilederkorpset").model_copy(update={"version": "2026.1", "meeting_gap_weeks": 4})
    await pool.execute(
        "INSERT INTO programme_plans (plan, version, definition) VALUES ($1, $2, $3)",
        started_on.name,
        started_on.version,
        started_on.model_dump(mode="json"),
    )
    await sign_in(http, "b.olsen", "adviser-dev")

    page = await http.get("/tasks")

    # Kongsberg started on 4 January and has had no meeting: one was due four weeks on, on 1 February.
    rows = re.findall(r'<tr class="task-(\w+)( overdue)?">\s*<td>([\d/]+)', page.text)
    assert rows[0] == ("meeting", " overdue", "01/02/2027")
    assert "one is due every 4 weeks" in page.text


async def test_a_cohort_that_does_not_exist_is_not_found(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/cohorts/nope")

    assert page.status_code == 404
    assert "there is no cohort &#39;nope&#39;" in page.text or "there is no cohort 'nope'" in page.text


async def test_a_cohort_whose_owners_are_only_invited_is_listed_and_shown(
    http: httpx.AsyncClient, store: RecordStore
) -> None:
    await _invited(store, "2028")
    await sign_in(http, "coordinator", "coordinator-dev")

    listed = await http.get("/cohorts")
    page = await http.get("/cohorts/2028")

    assert '<a href="/cohorts/2028">2028</a>' in listed.text
    assert page.status_code == 200
    assert 'id="cohort-not-answering"' in page.text  # no Temporal in these tests: the page says so


async def _invited(store: RecordStore, cohort: str) -> None:
    """An invitation row of `cohort` in the store, as its workflow writes one."""
    record = factories.invitation("invited", "invited", NOW)
    audit = record.audit.model_copy(update={"workflow_id": f"cohort-{cohort}"})
    row = record.model_copy(update={"cohort": cohort, "workflow_id": f"cohort-{cohort}", "audit": audit})
    await ActivityEnvironment().run(store.record_invitation, row)


#: An invitation's row on the cohort page: (state, owner id).
_INVITATION = re.compile(r'<tr class="invitation-(\w+)"><td>[^<]*\((\d+)\)')


async def _cohort_web(store: RecordStore, harness: Harness) -> tuple[str, httpx.AsyncClient]:
    """A cohort running on the harness's Temporal (its invitations in the store), and an HTTP client of the app on
    both."""
    handle = await harness.start_cohort()
    status = await harness.cohort_settled(handle)
    await _invited(store, status.cohort)
    return status.cohort, _cohort_client(_cohort_app(store, harness))


def _cohort_app(store: RecordStore, harness: Harness, **settings: Any) -> ASGIApp:
    """An instance of the app on the store and the harness's Temporal."""

    async def temporal() -> Client:
        return harness.client

    web = WebApp(
        reader=RecordReader(store.pool),
        temporal=temporal,
        users=UserDirectory.development(),
        settings=WebSettings(_env_file=None, secret=SECRET, **settings),
        secret=SECRET,
        clock=lambda: NOW,
    )
    return create_app(web)


def _cohort_client(app: ASGIApp) -> httpx.AsyncClient:
    """A browser of the app instance (a cookie jar of its own)."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"Accept-Language": "en"})


async def test_a_cohort_page_shows_its_planned_gatherings_and_every_invitation(
    store: RecordStore, harness: Harness
) -> None:
    name, client = await _cohort_web(store, harness)
    await cohort_api.respond_to_invitation(
        harness.client, name, RespondToInvitation(owner_id="4617", answer="accept", by="Statsforvalteren i Vestland")
    )
    planned = (await cohort_api.cohort_status(harness.client, name)).gatherings
    assert planned and all(g.sent_sequence is None for g in planned)  # none sent yet: only the cohort knows them

    async with client:
        await sign_in(client, "coordinator", "coordinator-dev")
        page = await client.get(f"/cohorts/{name}")
        await sign_in(client, "a.hansen", "adviser-dev")
        as_adviser = await client.get(f"/cohorts/{name}")

    table = page.text.split('id="planned-gatherings"', 1)[1].split("</table>", 1)[0]
    assert [g.title for g in planned] == re.findall(r"<tr><td>\d\d/\d\d/\d{4}</td><td>([^<]+)</td>", table)
    assert f"go out {planned[0].invite_on:%d/%m/%Y}" in table
    states = sorted(_INVITATION.findall(page.text))
    assert states == [("accepted", "4617"), ("invited", "1103"), ("invited", "3301")]
    assert 'id="planned-gatherings"' in as_adviser.text
    assert 'id="invitations"' not in as_adviser.text  # every owner's invitation is the coordinators' business


async def test_a_coordinators_answer_shows_on_their_next_page_whichever_instance_serves_it(
    store: RecordStore, harness: Harness
) -> None:
    name, here = await _cohort_web(store, harness)
    # Another instance, keeping the cohort workflow's answers a minute: what it showed before the answer is kept.
    other_instance = _cohort_app(store, harness, cohort_status_seconds=60)
    there, someone_else = _cohort_client(other_instance), _cohort_client(other_instance)
    async with here, there, someone_else:
        await sign_in(there, "coordinator", "coordinator-dev")
        before = await there.get(f"/cohorts/{name}")
        here.cookies.update(there.cookies)  # the balancer sends the answer to this instance ...
        answer = {"owner_id": "3301", "answer": "decline", "by": "Statsforvalteren i Vestfold"}
        answered = await here.post(f"/cohorts/{name}/answer", data={**answer, "csrftoken": _csrf(before)})
        await sign_in(someone_else, "coordinator", "coordinator-dev")  # another person, on the other instance
        kept = await someone_else.get(f"/cohorts/{name}")
        there.cookies.update(here.cookies)  # ... and the person's next page to the other
        after = await there.get(f"/cohorts/{name}")

    def state_of_3301(page: httpx.Response) -> str:
        return str(dict((owner, state) for state, owner in _INVITATION.findall(page.text))["3301"])

    assert answered.status_code == 303
    assert (state_of_3301(before), state_of_3301(after)) == ("invited", "declined")
    assert state_of_3301(kept) == "invited", "others are shown the instance's kept answer until it is a minute old"


async def test_a_coordinator_records_an_answer_and_adds_and_moves_gatherings_on_the_cohort_page(
    store: RecordStore, harness: Harness
) -> None:
    saturday = await harness.weekend_day_in(20)
    working_day = await harness.working_day_in(30)
    name, client = await _cohort_web(store, harness)
    async with client:
        await sign_in(client, "coordinator", "coordinator-dev")
        token = _csrf(await client.get(f"/cohorts/{name}"))
        answered = await client.post(
            f"/cohorts/{name}/answer",
            data={"owner_id": "3301", "answer": "decline", "by": "Statsforvalteren i Vestfold", "csrftoken": token},
        )
        refused = await client.post(
            f"/cohorts/{name}/gatherings/add",
            data={"title": "Spring gathering", "date": saturday.isoformat(), "place": "Oslo", "csrftoken": token},
        )
        added = await client.post(
            f"/cohorts/{name}/gatherings/add",
            data={"title": "Spring gathering", "date": working_day.isoformat(), "place": "Oslo", "csrftoken": token},
            follow_redirects=True,
        )
        await sign_in(client, "a.hansen", "adviser-dev")
        forbidden = await client.post(
            f"/cohorts/{name}/answer",
            data={"owner_id": "1103", "answer": "accept", "by": "x", "csrftoken": _csrf(await client.get("/tasks"))},
        )

    assert answered.status_code == 303
    assert refused.status_code == 422
    error = re.search(r'id="add-gathering-date-error"[^>]*>([^<]+)<', refused.text)
    # The refusal in the page's language (English here: the engine's words), after the field's label.
    assert error is not None and error.group(1).startswith("Date: ") and "is a Saturday" in error.group(1)
    assert 'value="Spring gathering"' in refused.text  # what was typed is kept
    assert added.status_code == 200 and f"Added Spring gathering on {working_day:%d/%m/%Y}" in added.text
    assert forbidden.status_code == 403
    status = await cohort_api.cohort_status(harness.client, name)
    assert next(i for i in status.invitations if i.owner_id == "3301").state == "declined"
    assert [(g.title, g.date, g.added_by) for g in status.gatherings if g.title == "Spring gathering"] == [
        ("Spring gathering", working_day, "coordinator")
    ]
