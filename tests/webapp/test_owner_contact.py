"""The owner's contact person on the period page and in the calendar feeds.

The form: the real workflow on the time-skipping server, a worker of the real record store (PostgreSQL) and the web
app on both; an adviser of the period sets the contact, a bad field is refused beside it in the person's language,
an adviser of another period is refused, a coordinator clears it and the people file's default shows again.
The feeds: the read model's cohort (tests/readmodel/rows.py) with a contact kept for Drammen's period.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from icalendar import Calendar

from activities.record_store import RecordStore
from config.people import load_people
from readmodel.records import RecordReader
from tests.helpers.harness import Harness
from tests.readmodel.rows import DRAMMEN, NOW
from tests.webapp.conftest import SECRET, _no_temporal
from tests.webapp.test_pages import sign_in
from tests.webapp.test_period_actions import _audit_rows, _error, period_web
from webapp.app import WebApp, create_app
from webapp.feeds import owner_feed_address
from webapp.settings import WebSettings
from webapp.users import UserDirectory

PEOPLE = """\
[[advisers]]
id = "a.hansen"
name = "Anne Hansen"
address = "anne.hansen@people.test"

[[owners]]
owner_id = "3301"
name = "Fil Kontakt"
address = "fil.kontakt@drammen.test"
"""

KARI = {"name": "Kari Nordmann", "email": "kari@drammen.test", "phone": "+47 32 04 70 00", "role": "Kommunalsjef"}


async def test_an_adviser_sets_the_contact_a_coordinator_clears_it_and_bad_fields_are_refused_beside_them(
    store: RecordStore, harness: Harness
) -> None:
    async with period_web(store, harness) as period:
        pool = store.pool
        token = await period.as_user("a.hansen")
        empty = await period.http.get(period.page)
        bad = await period.http.post(
            f"{period.page}/contact",
            data={"name": "Kari", "email": "kari-at-drammen", "phone": "ring meg", "csrftoken": token},
            headers={"Accept-Language": "nb"},
        )
        done = await period.http.post(
            f"{period.page}/contact", data={**KARI, "csrftoken": token}, follow_redirects=True
        )
        # The form waits for the change's workflow, so the row is written when the page answers.
        kept = await pool.fetch("SELECT name, set_by FROM owner_contacts")
        shown = await period.http.get(period.page)

        other = await period.as_user("c.berg")
        refused = await period.http.post(f"{period.page}/contact", data={**KARI, "csrftoken": other})

        token = await period.as_user("coordinator")
        cleared = await period.http.post(
            f"{period.page}/contact", data={"clear": "on", "csrftoken": token}, follow_redirects=True
        )
        after = await period.http.get(period.page)

    assert 'id="contact-form"' in empty.text and "No contact person yet" in empty.text
    assert bad.status_code == 422
    assert _error(bad, "contact", "email") == (
        "E-postadresse: &#39;kari-at-drammen&#39; er ikke en e-postadresse; skriv den som navn@domene, "
        "f.eks. kari.nordmann@drammen.kommune.no"
    )
    assert _error(bad, "contact", "phone").startswith("Telefon: oppgi et telefonnummer")
    assert 'value="ring meg"' in bad.text, "what was typed is kept"
    assert done.status_code == 200 and "The contact person of Drammen is now Kari Nordmann." in done.text
    assert [tuple(row) for row in kept] == [("Kari Nordmann", "a.hansen")]
    assert '<dd id="contact-name">Kari Nordmann</dd>' in shown.text
    assert '<dd id="contact-phone">+47 32 04 70 00</dd>' in shown.text
    assert '<dd id="contact-role">Kommunalsjef</dd>' in shown.text
    assert "Set by a.hansen on" in shown.text
    assert ["a.hansen", "owner&#39;s contact person set"] in [row[1:3] for row in _audit_rows(shown)]
    assert refused.status_code == 403
    assert cleared.status_code == 200 and "The period&#39;s own contact person is cleared." in cleared.text
    assert await pool.fetchval("SELECT count(*) FROM owner_contacts") == 0
    assert "No contact person yet" in after.text and 'id="contact-name"' not in after.text
    assert ["coordinator", "owner&#39;s contact person cleared"] in [row[1:3] for row in _audit_rows(after)]


async def test_the_feeds_name_the_organizer_the_advisers_and_the_periods_contact_before_the_files(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    people_file = tmp_path / "people.toml"
    people_file.write_text(PEOPLE, encoding="utf-8")
    web = WebApp(
        reader=RecordReader(pool),
        temporal=_no_temporal,
        users=UserDirectory.development(),
        settings=WebSettings(_env_file=None, secret=SECRET),
        secret=SECRET,
        clock=lambda: NOW,
        people=load_people(people_file, "veileder.test"),
    )
    transport = httpx.ASGITransport(app=create_app(web))
    feed = owner_feed_address(SECRET, "3301", "a.hansen")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        by_file = Calendar.from_ical((await http.get(feed)).content)
        await pool.execute(
            "INSERT INTO owner_contacts (workflow_id, name, email, set_by, set_at) VALUES ($1, $2, $3, $4, $5)",
            DRAMMEN.workflow_id,
            "Kari Nordmann",
            "kari@drammen.test",
            "a.hansen",
            datetime(2027, 1, 5, tzinfo=UTC),
        )
        own = Calendar.from_ical((await http.get(feed)).content)
        await sign_in(http, "a.hansen", "adviser-dev")
        page = await http.get(f"/periods/{DRAMMEN.workflow_id}")

    def people_of(calendar: Calendar) -> tuple[str, dict[str, str]]:
        kickoff = next(e for e in calendar.walk("VEVENT") if "Kick-off" in str(e["SUMMARY"]))
        return str(kickoff.get("organizer")), {str(a): str(a.params["CN"]) for a in kickoff.get("attendee")}

    organizer, attendees = people_of(by_file)
    assert organizer == "mailto:anne.hansen@people.test"
    assert attendees == {
        "mailto:anne.hansen@people.test": "Anne Hansen",
        "mailto:b.olsen@veileder.test": "b.olsen",
        "mailto:fil.kontakt@drammen.test": "Fil Kontakt",
    }
    assert people_of(own)[1]["mailto:kari@drammen.test"] == "Kari Nordmann"
    assert "mailto:fil.kontakt@drammen.test" not in people_of(own)[1], "the period's own contact comes first"
    assert '<dd id="contact-name">Kari Nordmann</dd>' in page.text


async def test_the_page_shows_the_people_files_contact_as_the_default(http: httpx.AsyncClient) -> None:
    await sign_in(http, "a.hansen", "adviser-dev")

    page = await http.get(f"/periods/{DRAMMEN.workflow_id}")

    # The app of tests/webapp/conftest.py has no people file: nobody.
    assert "No contact person yet" in page.text
