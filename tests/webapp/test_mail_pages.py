"""The development mailbox (webapp/mailbox_pages.py) and the mail refused for good, over HTTP on a real record store.

The mailbox is filled by a real aiosmtpd server writing a Maildir, as `make dev`'s local mail server does
(devstack/mail_server.py); hostile files are dropped in beside its messages.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import asyncpg
import httpx
import pytest
from temporalio.testing import ActivityEnvironment

from activities.mail_delivery import MailDelivery, mail_message
from config.mail import MailSettings
from devstack.mail_server import MAILBOX, local_mail_server
from devstack.temporal_server import HOST
from domain.contract import cohort_workflow_id
from domain.mail import DeliveryRound
from language.current import set_language
from readmodel.records import RecordReader
from tests.helpers.mail_server import running_mail_server
from tests.readmodel.rows import DRAMMEN, NOW
from tests.webapp.conftest import SECRET, _no_temporal
from tests.webapp.test_pages import sign_in
from webapp.app import WebApp, create_app
from webapp.dev_mailbox import MAX_MESSAGE_BYTES, DevMailbox, NoSuchMessage
from webapp.mailbox_pages import DevMailboxRefused, check_dev_mailbox
from webapp.settings import WebSettings
from webapp.users import UserDirectory

ICS = "\r\n".join(
    ["BEGIN:VCALENDAR", "VERSION:2.0", "METHOD:REQUEST", "BEGIN:VEVENT", "UID:m1@x", "END:VEVENT", "END:VCALENDAR", ""]
)


def _app(reader: RecordReader, mailbox: Path | None) -> httpx.AsyncClient:
    web = WebApp(
        reader=reader,
        temporal=_no_temporal,
        users=UserDirectory.development(),
        settings=WebSettings(_env_file=None, secret=SECRET, dev_mailbox=mailbox),
        secret=SECRET,
        clock=lambda: NOW,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(web)), base_url="http://testserver")


@pytest.fixture
async def mailbox_http(reader: RecordReader, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    """The app with the development mailbox on, and a real local mail server writing into it."""
    with local_mail_server(tmp_path, 0) as settings:
        async with _app(reader, tmp_path / MAILBOX) as client:
            client.headers["Accept-Language"] = "en"
            yield client, settings.port


async def _send(port: int, message: EmailMessage) -> None:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=port)


def _reminder(subject: str, key: str) -> EmailMessage:
    row = {
        "message_key": key,
        "recipients": ["a.hansen@veileder.udir.no"],
        "subject": subject,
        "created_at": datetime(2027, 3, 16, 8, 0, tzinfo=UTC),
        "body": "Mapping is overdue.",
        "attachment_name": "m1.ics",
        "attachment": ICS,
    }
    return mail_message(row, "veilederkorpset@udir.no")


async def test_the_mailbox_is_not_there_unless_enabled(http: httpx.AsyncClient) -> None:
    await sign_in(http, "coordinator", "coordinator-dev")

    answer = await http.get("/dev/mailbox")
    cohorts = await http.get("/cohorts")

    assert answer.status_code == 404
    assert 'id="nav-mailbox"' not in cohorts.text


async def test_a_coordinator_reads_what_the_local_mail_server_received_and_an_adviser_may_not(
    mailbox_http: tuple[httpx.AsyncClient, int],
) -> None:
    http, port = mailbox_http
    await _send(port, _reminder("Reminder: Drammen, mapping is overdue", "p/1"))
    await _send(port, _reminder("Reminder: Kongsberg, mapping is overdue", "p/2"))

    await sign_in(http, "a.hansen", "adviser-dev")
    refused = await http.get("/dev/mailbox")
    assert refused.status_code == 403
    assert 'id="nav-mailbox"' not in (await http.get("/tasks")).text

    await http.post("/logout", data={"csrftoken": _token(await http.get("/tasks"))})
    await sign_in(http, "coordinator", "coordinator-dev")
    listed = await http.get("/dev/mailbox")
    assert listed.status_code == 200
    assert 'id="nav-mailbox"' in listed.text
    subjects = re.findall(r'<a class="ds-link" href="/dev/mailbox/([^"]+)">([^<]+)</a>', listed.text)
    assert [s for _, s in subjects] == [
        "Reminder: Kongsberg, mapping is overdue",
        "Reminder: Drammen, mapping is overdue",
    ], "newest first"
    in_norwegian = await http.get("/dev/mailbox", headers={"Accept-Language": "nb"})
    assert "16.03.2027 09:00" in in_norwegian.text, "the Date header, in Norwegian time as Babel writes it"
    assert _reminder("x", "p/1")["Message-ID"].replace("<", "&lt;").replace(">", "&gt;") in listed.text

    one = await http.get(f"/dev/mailbox/{subjects[1][0]}")
    assert one.status_code == 200
    assert 'id="mail-subject">Reminder: Drammen, mapping is overdue<' in one.text
    assert "Mapping is overdue." in one.text
    assert "METHOD:REQUEST" in one.text, "the calendar part is shown as text"
    # The same calendar again as a file (activities/itip.py: application/ics, so no program acts on it twice).
    assert re.search(r"<li>m1.ics \(application/ics, [\d,. ]+ bytes\)</li>", one.text), one.text

    assert (await http.get("/dev/mailbox/no-such-key")).status_code == 404
    assert (await http.get("/dev/mailbox/..%2F..%2Fweb-secret")).status_code == 404


def _token(page: httpx.Response) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


async def test_hostile_files_are_shown_with_their_problems_never_raised_and_html_is_never_rendered(
    tmp_path: Path,
) -> None:
    folder = tmp_path / MAILBOX
    with local_mail_server(tmp_path, 0) as settings:
        html = EmailMessage()
        html["From"] = "x@example.org"
        html["To"] = "coordinator@udir.no"
        html["Subject"] = "Looks harmless"
        html.set_content("plain words")
        html.add_alternative("<script>alert(1)</script><b>bold</b>", subtype="html")
        await _send(settings.port, html)
    new = folder / "new"
    (new / "1700000000.M1P1Q1.broken").write_bytes(b"Date: not a date at all\r\nSubject: =?bogus?Q?x?=\r\n\r\n\xff\xfe")
    (new / "1700000001.M1P1Q1.huge").write_bytes(b"Subject: huge\r\n\r\n" + b"a" * (MAX_MESSAGE_BYTES + 10))
    (new / "1700000002.M1P1Q1.empty").write_bytes(b"")

    box = DevMailbox(folder)
    set_language("en")  # this test's task only: the problems are said in English
    listing = await asyncio.to_thread(box.listing)
    assert listing.total == 4
    by_key = {m.key: m for m in listing.messages}
    assert "cannot be read" in by_key["1700000000.M1P1Q1.broken"].problem
    huge = await asyncio.to_thread(box.message, "1700000001.M1P1Q1.huge")
    assert any("larger than" in p for p in huge.problems)
    sent = next(m.key for m in listing.messages if m.subject == "Looks harmless")
    shown_html = await asyncio.to_thread(box.message, sent)
    assert [t for _, t in shown_html.texts] == ["plain words\n"]
    assert [a.content_type for a in shown_html.attachments] == ["text/html"]
    await asyncio.to_thread(box.message, "1700000002.M1P1Q1.empty")


async def test_the_app_refuses_the_mailbox_beside_an_identity_provider_elsewhere(tmp_path: Path) -> None:
    local = WebSettings(_env_file=None, dev_mailbox=tmp_path, oidc_issuer="http://localhost:9000")
    real = WebSettings(_env_file=None, dev_mailbox=tmp_path, oidc_issuer="https://login.microsoftonline.com/x/v2.0")

    check_dev_mailbox(local)
    with pytest.raises(DevMailboxRefused, match="GUIDANCE_WEB_DEV_MAILBOX is for development only"):
        check_dev_mailbox(real)


async def test_mail_refused_for_good_is_shown_to_coordinators_on_the_period_and_the_cohort(
    http: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    insert = (
        "INSERT INTO outbox (message_key, workflow_id, kind, recipients, subject, body, created_at, failed_at,"
        " last_error, attempts) VALUES ($1, $2, $3, $4, $5, 'text', $6, $6, $7, 1)"
    )
    at = datetime(2027, 3, 16, 8, 0, tzinfo=UTC)
    await pool.execute(
        insert,
        f"{DRAMMEN.workflow_id}/r1",
        DRAMMEN.workflow_id,
        "reminder",
        ["nobody@veileder.udir.no"],
        "Reminder: Drammen",
        at,
        "nobody@veileder.udir.no: 550 5.1.1 no such user",
    )
    await pool.execute(
        insert,
        "cohort-2027/letter/3005",
        cohort_workflow_id("2027"),
        "invitation_letter",
        ["sf33@statsforvalteren.no"],
        "Invitation: Drammen",
        at,
        "550 5.7.1 relaying denied",
    )
    await pool.execute(  # sent: not a failure
        "INSERT INTO outbox (message_key, workflow_id, kind, recipients, subject, body, created_at, sent_at)"
        " VALUES ('x/sent', $1, 'reminder', '{a@b.no}', 'Sent fine', 'text', $2, $2)",
        DRAMMEN.workflow_id,
        at,
    )

    await sign_in(http, "a.hansen", "adviser-dev")
    adviser_view = await http.get(f"/periods/{DRAMMEN.workflow_id}")
    assert adviser_view.status_code == 200 and "mail-failures" not in adviser_view.text

    await http.post("/logout", data={"csrftoken": _token(adviser_view)})
    await sign_in(http, "coordinator", "coordinator-dev")
    period = await http.get(f"/periods/{DRAMMEN.workflow_id}")
    rows = re.findall(r'<tr class="mail-failure" data-key="([^"]+)">', period.text)
    assert rows == [f"{DRAMMEN.workflow_id}/r1"]
    assert "550 5.1.1 no such user" in period.text and "nobody@veileder.udir.no" in period.text
    assert "16/03/2027" in period.text  # the test client asks for English: British day-first dates

    cohort = await http.get("/cohorts/2027")
    rows = re.findall(r'<tr class="mail-failure" data-key="([^"]+)">', cohort.text)
    assert sorted(rows) == sorted([f"{DRAMMEN.workflow_id}/r1", "cohort-2027/letter/3005"])
    assert "relaying denied" in cohort.text
    assert f'href="/periods/{DRAMMEN.workflow_id}">Reminder: Drammen</a>' in cohort.text

    letter = await http.get("/cohorts/2027/letters/cohort-2027/letter/3005")
    assert 'id="letter-refused"' in letter.text and "relaying denied" in letter.text


async def test_a_mailbox_not_made_yet_is_empty_and_a_link_dropped_in_it_is_not_followed(tmp_path: Path) -> None:
    set_language("en")
    assert (await asyncio.to_thread(DevMailbox(tmp_path / "none").listing)).messages == []
    with pytest.raises(NoSuchMessage):
        await asyncio.to_thread(DevMailbox(tmp_path / "none").message, "1700000000.M1P1Q1.x")

    folder = tmp_path / MAILBOX
    for sub in ("new", "cur", "tmp"):
        (folder / sub).mkdir(parents=True)
    secret = tmp_path / "web-secret"
    secret.write_text("Subject: the secret\n\nsecret", encoding="utf-8")
    (folder / "new" / "1700000000.M1P1Q1.link").symlink_to(secret)

    box = DevMailbox(folder)
    assert (await asyncio.to_thread(box.listing)).messages == []
    with pytest.raises(NoSuchMessage):
        await asyncio.to_thread(box.message, "1700000000.M1P1Q1.link")


async def test_a_real_mail_servers_refusal_reaches_the_period_page(http: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    """The whole path: an outbox entry, the delivery activity, a real SMTP server answering 550, the page."""
    await pool.execute(
        "INSERT INTO outbox (message_key, workflow_id, kind, recipients, subject, body, created_at)"
        " VALUES ($1, $2, 'reminder', $3, 'Reminder: Drammen, anchoring is overdue', 'text', $4)",
        f"{DRAMMEN.workflow_id}/phase_reminder-1",
        DRAMMEN.workflow_id,
        ["gone@veileder.udir.no"],
        datetime(2027, 3, 16, 8, 0, tzinfo=UTC),
    )
    with running_mail_server() as server:
        server.recorder.refuse["gone@veileder.udir.no"] = "550 5.1.1 <gone@veileder.udir.no>: no such user"
        settings = MailSettings.model_validate({"host": HOST, "port": server.port, "security": "none"})
        report = await ActivityEnvironment().run(MailDelivery(pool, settings).deliver_mail, DeliveryRound())
        again = await ActivityEnvironment().run(MailDelivery(pool, settings).deliver_mail, DeliveryRound())
    assert report.failed == [f"{DRAMMEN.workflow_id}/phase_reminder-1"] and again.failed == [], "never retried"

    await sign_in(http, "coordinator", "coordinator-dev")
    page = await http.get(f"/periods/{DRAMMEN.workflow_id}", headers={"Accept-Language": "nb"})

    assert re.findall(r'<tr class="mail-failure" data-key="([^"]+)">', page.text) == [
        f"{DRAMMEN.workflow_id}/phase_reminder-1"
    ]
    assert "E-post som ikke kunne leveres" in page.text
    assert "550 5.1.1 &lt;gone@veileder.udir.no&gt;: no such user" in page.text
