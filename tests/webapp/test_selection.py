"""Selecting school owners in the web app (webapp/selection_pages.py): uploading an indicator file (multipart with
its CSRF token), the shortlist, the decision's validation, saving it through `SelectionDecisionWorkflow` on a
time-skipping server into the real record store, and starting the cohort from it; advisers are refused all of it."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import httpx
import pytest
from starlette.datastructures import FormData, UploadFile
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.record_store import RecordStore
from activities.registry import all_activities
from domain import calendar
from domain.contract import cohort_workflow_id, decision_workflow_id
from domain.selection_decision import MAX_DECISION_OWNERS, DecisionForm
from language import Language
from language.current import using
from readmodel.records import RecordReader
from selection.indicator_file import IndicatorFileError, parse_indicator_csv
from selection.scoring import Shortlist, load_selection_config, select
from tests.helpers.clock import ZONE
from tests.helpers.waits import terminate_when_settled
from tests.readmodel.rows import NOW
from tests.selection.test_select_cli import indicator_file
from tests.webapp.conftest import SECRET
from tests.webapp.test_pages import _csrf, _invited, sign_in
from webapp import selection_pages
from webapp.actions import FormRejected
from webapp.app import WebApp, create_app
from webapp.indicator_files import MAX_UPLOAD_BYTES
from webapp.settings import WebSettings
from webapp.users import UserDirectory
from worker import build_worker

#: A file with two bad cells: line 3's value and line 4's school year.
BAD_FILE = (
    "enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi\n"
    "kommune;3301;3301;grunnskolepoeng;2024-25;40,7\n"
    "kommune;3301;3301;grunnskolepoeng;2023-24;n/a\n"
    "kommune;1101;1101;grunnskolepoeng;2023-25;40\n"
)


async def _upload(http: httpx.AsyncClient, text: bytes, *, token: str | None, name: str = "ind.csv") -> httpx.Response:
    data = {"csrftoken": token} if token is not None else {}
    return await http.post("/selection/files", data=data, files={"indicators": (name, text, "text/csv")})


async def _coordinator(http: httpx.AsyncClient) -> str:
    await sign_in(http, "coordinator", "coordinator-dev")
    return _csrf(await http.get("/selection"))


async def test_an_uploaded_file_is_kept_by_its_content_with_who_and_when_and_shows_its_shortlist(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    token = await _coordinator(http)

    uploaded = await _upload(http, indicator_file().encode(), token=token)

    assert uploaded.status_code == 303
    sha = uploaded.headers["location"].rsplit("/", 1)[1]
    kept = await pool.fetchrow("SELECT * FROM web_indicator_files")
    assert kept is not None and dict(kept) == {
        "sha256": sha,
        "name": "ind.csv",
        "size": len(indicator_file().encode()),
        "uploaded_by": "coordinator",
        "uploaded_at": NOW,
        "content": indicator_file().encode(),
    }
    page = await http.get(uploaded.headers["location"])
    assert page.status_code == 200 and "Read ind.csv: no problems found." in page.text
    ranked = re.findall(r'<tr id="owner-(\d+)" class="track-(\w+)', page.text)
    # Eigersund (1101) is bad in every year, Drammen (3301) in one; Bergen (4601) has no risk points of its own.
    assert ranked[:2] == [("1101", "rank"), ("3301", "rank")]
    eigersund = page.text.split('id="owner-1101"', 1)[1].split("</tr>", 1)[0]
    assert "Grunnskolepoeng 2024-25: 36.5 worse than" in eigersund  # the reason, by indicator and year
    listed = await http.get("/selection")
    assert f'href="/selection/files/{sha}">ind.csv</a>' in listed.text
    again = await _upload(http, indicator_file().encode(), token=token, name="copy.csv")
    assert again.headers["location"] == uploaded.headers["location"]  # the same content is kept once
    kept_once = await pool.fetch("SELECT name, uploaded_by FROM web_indicator_files")
    assert [tuple(r) for r in kept_once] == [("ind.csv", "coordinator")], "the first upload's facts stay"


async def test_a_bad_file_shows_the_same_problems_as_the_command_by_line_and_column(http: httpx.AsyncClient) -> None:
    token = await _coordinator(http)

    answer = await _upload(http, BAD_FILE.encode(), token=token)

    assert answer.status_code == 422
    with pytest.raises(IndicatorFileError) as cli:
        parse_indicator_csv(BAD_FILE, "ind.csv", indicators=load_selection_config().indicators)
    shown = re.findall(r'<tr class="problem"><td>(\d*)</td><td>(\w*)</td><td>([^<]*)</td>', answer.text)
    expected = [(str(p.line), p.column or "", p.message.replace("'", "&#39;")) for p in cli.value.problems]
    assert shown == expected and [(line, column) for line, column, _ in shown] == [("3", "verdi"), ("4", "skoleaar")]
    assert "ind.csv cannot be used" in answer.text
    assert "No indicator file has been uploaded yet." in answer.text  # nothing was kept


async def test_a_file_that_is_not_utf8_is_refused_with_its_line(http: httpx.AsyncClient) -> None:
    token = await _coordinator(http)

    answer = await _upload(http, "enhet_type;enhet_id\nkommune;Bærum\n".encode("latin-1"), token=token)

    assert answer.status_code == 422
    assert re.search(r'<tr class="problem"><td>2</td><td></td><td>not UTF-8 text', answer.text)


async def test_a_file_over_the_limit_is_refused_with_the_limit_named(http: httpx.AsyncClient) -> None:
    token = await _coordinator(http)

    answer = await _upload(http, b"x" * (MAX_UPLOAD_BYTES + 100 * 1024), token=token)

    assert answer.status_code == 413
    error = re.search(r'id="upload-error"[^>]*>([^<]+)<', answer.text)
    assert error is not None and f"larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB" in error.group(1)


async def test_a_multipart_post_without_its_csrf_token_is_refused_not_failed(http: httpx.AsyncClient) -> None:
    await _coordinator(http)

    missing = await _upload(http, indicator_file().encode(), token=None)
    wrong = await _upload(http, indicator_file().encode(), token="not-the-token")

    assert missing.status_code == 403 and "File encountered before csrftoken" in missing.text
    assert wrong.status_code == 403 and "did not match" in wrong.text


async def test_a_multipart_post_with_its_token_after_the_file_is_refused(http: httpx.AsyncClient) -> None:
    token = await _coordinator(http)
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="indicators"; filename="ind.csv"\r\n\r\n'
        f"{indicator_file()}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrftoken"\r\n\r\n{token}\r\n--{boundary}--\r\n'
    )

    answer = await http.post(
        "/selection/files", content=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )

    assert answer.status_code == 403 and "make sure csrftoken is first" in answer.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/selection"),
        ("POST", "/selection/files"),
        ("GET", f"/selection/files/{'0' * 64}"),
        ("POST", f"/selection/files/{'0' * 64}/decision"),
        ("GET", "/selection/decisions/2027"),
        ("POST", "/selection/decisions/2027/start"),
        ("GET", "/cohorts/2027/letters/cohort-2027/invitation/3301/invited"),
    ],
)
async def test_an_adviser_is_refused_every_selection_page_and_form(
    http: httpx.AsyncClient, method: str, path: str
) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")
    token = _csrf(await http.get("/tasks"))

    if method == "GET":
        answer = await http.get(path)
    elif path == "/selection/files":
        answer = await _upload(http, indicator_file().encode(), token=token)
    else:
        answer = await http.post(path, data={"csrftoken": token})

    assert answer.status_code == 403 and "only a coordinator selects school owners" in answer.text


async def test_the_nav_offers_selection_to_coordinators_only(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")
    adviser = await http.get("/tasks")
    await sign_in(http, "coordinator", "coordinator-dev")
    coordinator = await http.get("/tasks", headers={"Accept-Language": "en"})  # the link's English words

    assert 'id="nav-selection"' not in adviser.text
    assert '<a href="/selection" id="nav-selection">Select owners</a>' in coordinator.text


async def test_a_decision_post_without_its_csrf_token_is_refused(http: httpx.AsyncClient) -> None:
    await _coordinator(http)

    answer = await http.post(f"/selection/files/{'0' * 64}/decision", data={"owner": "3301"})

    assert answer.status_code == 403 and "did not match" in answer.text


# --- the decision's rules -------------------------------------------------------------------------


def _shortlist() -> Shortlist:
    config = load_selection_config()
    return select(parse_indicator_csv(indicator_file(), "ind.csv", indicators=config.indicators), config)


def _form(**fields: str | list[str]) -> httpx.QueryParams:
    base: dict[str, str | list[str]] = {
        "cohort": "2031",
        "start_date": "2031-01-06",
        "plan": "veilederkorpset",
        "owner": ["1101", "3301"],
        "advisers-1101": ["a.hansen"],
        "advisers-3301": ["b.olsen", "c.berg"],
        "network-3301": "Vestfold",
        "kindergarten-1101": "on",
    }
    return httpx.QueryParams({**base, **fields})


def _decided(form: httpx.QueryParams, language: Language = "en") -> DecisionForm:
    posted = FormData(list[tuple[str, str | UploadFile]](form.multi_items()))
    with using(language):
        return selection_pages.decision_form(
            posted, _shortlist(), ["a.hansen", "b.olsen", "c.berg"], ["veilederkorpset"]
        )


def test_a_decision_takes_the_ticked_owners_with_their_advisers_and_options() -> None:
    chosen = _decided(_form())

    assert [(o.owner_id, o.advisers, o.network, o.kindergarten_transition) for o in chosen.owners] == [
        ("1101", ["a.hansen"], None, True),
        ("3301", ["b.olsen", "c.berg"], "Vestfold", False),
    ]
    decision = selection_pages.selection_decision(chosen, "coordinator", "a" * 64, _shortlist())
    assert decision.cohort.owners[0].owner.name == "Eigersund" and decision.ranks == {"1101": 1, "3301": 2}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"owner": []}, "owners", "tick at least one owner to invite"),
        ({"owner": ["1101", "0301"], "advisers-0301": ["a.hansen"]}, "owner-0301", "0301 is not on this shortlist"),
        ({"advisers-3301": []}, "advisers-3301", "at least 1 item"),
        ({"advisers-1101": ["z.nobody"]}, "advisers-1101", "z.nobody: no such adviser"),
        ({"advisers-1101": ["a.hansen", "a.hansen"]}, "advisers-1101", "an adviser is named twice"),
        ({"start_date": "6 January"}, "start_date", "valid date"),
        ({"cohort": "2031/spring"}, "cohort", "use only letters a-z, digits, - and _"),
        ({"plan": "made-up"}, "plan", "'made-up' is not a programme plan"),
        ({"network-3301": "x" * 201}, "network-3301", "at most 200 characters"),
        ({"owner": ["1101", "3301", "1101"]}, "owners", "chosen more than once: 1101"),
    ],
)
def test_a_decision_is_rejected_beside_the_field_it_names(
    changes: dict[str, str | list[str]], field: str, message: str
) -> None:
    with pytest.raises(FormRejected) as rejected:
        _decided(_form(**changes))

    assert field in rejected.value.errors, rejected.value.errors
    assert message in rejected.value.errors[field]


def test_a_decision_of_more_owners_than_the_bound_is_refused_before_validation() -> None:
    many = [f"{n:04d}" for n in range(1000, 1000 + MAX_DECISION_OWNERS + 1)]

    with pytest.raises(FormRejected) as rejected:
        _decided(_form(owner=many))

    said = f"Owners to invite: at most {MAX_DECISION_OWNERS} owners in one decision"
    assert rejected.value.errors == {"owners": said}


# --- saving it through Temporal and starting the cohort -------------------------------------------


@pytest.fixture
async def temporal_web(time_skipping_env: WorkflowEnvironment, store: RecordStore) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the real record store and a worker of the real workflows and activities on a queue of its own."""
    client = time_skipping_env.client
    task_queue = f"select-{uuid.uuid4()}"

    async def temporal() -> Client:
        return client

    web = WebApp(
        reader=RecordReader(store.pool),
        temporal=temporal,
        users=UserDirectory.development(),
        settings=WebSettings(_env_file=None, secret=SECRET),
        secret=SECRET,
        task_queue=task_queue,
    )
    started: list[str] = []
    async with build_worker(client, all_activities(store), task_queue=task_queue):
        transport = httpx.ASGITransport(app=create_app(web))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers={"Accept-Language": "en"}
        ) as http:
            http.started = started  # type: ignore[attr-defined]
            http.task_queue = task_queue  # type: ignore[attr-defined]
            try:
                yield http
            finally:
                await terminate_when_settled(client, started)


async def test_a_saved_decision_is_recorded_with_who_and_when_and_starts_its_cohort(
    temporal_web: httpx.AsyncClient, time_skipping_env: WorkflowEnvironment, pool: asyncpg.Pool
) -> None:
    http = temporal_web
    today = calendar.local_date(await time_skipping_env.get_current_time(), ZONE)
    start = calendar.next_working_day(today + timedelta(weeks=8))
    name = f"w{uuid.uuid4().hex[:8]}"
    http.started.append(cohort_workflow_id(name))  # type: ignore[attr-defined]
    token = await _coordinator(http)
    shortlist_at = (await _upload(http, indicator_file().encode(), token=token)).headers["location"]
    sha = shortlist_at.rsplit("/", 1)[1]

    form = _form(cohort=name, start_date=start.isoformat(), csrftoken=token)
    before = await time_skipping_env.get_current_time()
    saved = await http.post(f"{shortlist_at}/decision", content=str(form), headers=_urlencoded())

    assert (saved.status_code, saved.headers["location"]) == (303, f"/selection/decisions/{name}")
    row = await pool.fetchrow("SELECT decided_by, decided_at, indicator_file, decision FROM selection_decisions")
    assert row is not None and (row["decided_by"], row["indicator_file"]) == ("coordinator", sha)
    assert before <= row["decided_at"] <= await time_skipping_env.get_current_time()
    assert [o["owner"]["id"] for o in row["decision"]["cohort"]["owners"]] == ["1101", "3301"]
    audit_query = "SELECT actor, action FROM audit_log WHERE workflow_id = $1"
    audit = await pool.fetchrow(audit_query, decision_workflow_id(name))
    assert audit is not None and (audit["actor"], audit["action"]) == (
        "coordinator",
        f"selected 2 school owners for cohort {name}",
    )
    page = await http.get(saved.headers["location"])
    assert '<dd id="decided-by">coordinator</dd>' in page.text and 'id="start-form"' in page.text

    twice = await http.post(f"{shortlist_at}/decision", content=str(form), headers=_urlencoded())
    assert twice.status_code == 422
    assert re.search(r'id="decision-cohort-error"[^>]*>Cohort name: cohort \w+ has a decision', twice.text)

    started = await http.post(f"/selection/decisions/{name}/start", data={"csrftoken": token})

    assert (started.status_code, started.headers["location"]) == (303, f"/cohorts/{name}")
    cohort_page = await http.get(f"/cohorts/{name}")
    assert f"Started cohort {name}: 2 school owners invited" in cohort_page.text
    states = sorted(re.findall(r'<tr class="invitation-(\w+)"><td>[^<]*\((\d+)\)', cohort_page.text))
    assert states == [("invited", "1101"), ("invited", "3301")]
    letters = await _letters(http, name)
    # Written in each county governor's language: Buskerud's and Rogaland's read bokmål.
    assert sorted(subject for _, subject in letters) == [
        f"Veilederkorpset: invitasjon til Drammen (3301), pulje {name}",
        f"Veilederkorpset: invitasjon til Eigersund (1101), pulje {name}",
    ]
    letter = await http.get(letters[0][0].replace("&amp;", "&"))
    assert letter.status_code == 200 and "Utdanningsdirektoratet inviterer" in letter.text
    assert "Svarfrist:" in letter.text
    # The letter is marked with its own language, whatever the page's (a screen reader switches voice for it).
    assert '<pre class="letter-body" id="letter-body" lang="nb">' in letter.text

    again = await http.post(f"/selection/decisions/{name}/start", data={"csrftoken": token})
    assert again.status_code == 409
    error = re.search(r'id="start-error">([^<]+)<', again.text)
    assert error is not None and f"cohort workflow cohort-{name} already exists" in error.group(1)


async def _letters(http: httpx.AsyncClient, cohort: str) -> list[tuple[str, str]]:
    """The links and subjects of the cohort page's letters (written as the invitations are)."""
    page = await http.get(f"/cohorts/{cohort}")
    table = page.text.split('id="cohort-letters"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', table)


def _urlencoded() -> dict[str, str]:
    return {"content-type": "application/x-www-form-urlencoded"}


async def test_a_rejected_decision_shows_each_error_beside_its_field_and_keeps_the_ticks(
    http: httpx.AsyncClient,
) -> None:
    token = await _coordinator(http)
    shortlist_at = (await _upload(http, indicator_file().encode(), token=token)).headers["location"]
    form = _form(csrftoken=token, start_date="2031-02-30", **{"advisers-3301": []})

    answer = await http.post(f"{shortlist_at}/decision", content=str(form), headers=_urlencoded())

    assert answer.status_code == 422
    advisers = re.search(r'id="decision-advisers-3301-error"[^>]*>([^<]+)<', answer.text)
    start = re.search(r'id="decision-start_date-error"[^>]*>([^<]+)<', answer.text)
    assert advisers is not None and "at least 1 item" in advisers.group(1)
    assert start is not None and "valid date" in start.group(1)
    assert re.search(r'value="1101" id="owner-1101-box" checked', answer.text)  # what was ticked is kept
    assert '<option value="a.hansen" selected>' in answer.text
    assert 'value="Vestfold"' in answer.text


async def test_the_letters_a_cohort_sent_are_listed_for_coordinators_and_readable(
    http: httpx.AsyncClient, store: RecordStore
) -> None:
    await _invited(store, "2028")
    await sign_in(http, "coordinator", "coordinator-dev")

    page = await http.get("/cohorts/2028")
    table = page.text.split('id="cohort-letters"', 1)[1].split("</table>", 1)[0]
    link = re.search(r'<a href="(/cohorts/2028/letters/[^"]+)">([^<]+)</a>', table)
    assert link is not None and "Veilederkorpset: invitasjon til" in link.group(2)
    letter = await http.get(link.group(1))
    await sign_in(http, "a.hansen", "adviser-dev")
    as_adviser = await http.get("/cohorts/2028")

    assert letter.status_code == 200 and "Utdanningsdirektoratet inviterer" in letter.text
    assert "<dt>Kind</dt><dd>Invitation letter</dd>" in letter.text  # the kind of letter, said in the page's language
    assert 'id="cohort-letters"' not in as_adviser.text
    assert (await http.get(link.group(1))).status_code == 403
