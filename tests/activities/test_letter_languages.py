"""Letters, calendar invitations and reminders in their recipient's language (config/data/languages.csv), on a
real PostgreSQL outbox: Vestland's county governor, Kvinnherad and Voss read nynorsk; Buskerud's county governor
and Drammen read bokmål (they have no row, and bokmål is the default)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from icalendar import Calendar, Event
from temporalio.testing import ActivityEnvironment

from activities.mail_delivery import mail_message
from activities.national_gatherings import GatheringStore
from activities.record_store import RecordStore
from domain.records import AuditEntry, GatheringGuest, InvitationRecord, MeetingRecord, NoticeRecord
from language.current import current_language
from tests.activities import factories
from tests.activities.factories import STARTED_AT, WORKFLOW_ID

AT = datetime(2027, 1, 4, 9, tzinfo=UTC)


def _in_buskerud(record: InvitationRecord) -> InvitationRecord:
    """The same event for Drammen, whose county governor (Buskerud, 33) reads bokmål."""
    audit = record.audit.model_copy(update={"event_key": f"invitation:3301:{record.event}"})
    return record.model_copy(update={"owner_id": "3301", "owner_name": "Drammen", "county": "33", "audit": audit})


async def _letters(pool: asyncpg.Pool, kind: str) -> dict[str, asyncpg.Record]:
    rows = await pool.fetch("SELECT * FROM outbox WHERE kind = $1", kind)
    return {row["recipients"][0]: row for row in rows}


async def test_a_letter_to_a_nynorsk_county_governor_is_in_nynorsk_and_to_a_bokmal_one_in_bokmal(
    store: RecordStore, pool: asyncpg.Pool
) -> None:
    env = ActivityEnvironment()
    vestland = factories.invitation("invited", "invited", AT)

    await env.run(store.record_invitation, vestland)
    await env.run(store.record_invitation, _in_buskerud(vestland))

    letters = await _letters(pool, "invitation_letter")
    nynorsk, bokmal = letters["sf46@statsforvalteren.no"], letters["sf33@statsforvalteren.no"]
    assert nynorsk["subject"] == "Veilederkorpset: invitasjon til Kvinnherad (4617), pulje 2027"
    assert nynorsk["body"].startswith(
        "Utdanningsdirektoratet inviterer Kvinnherad (4617) til ein rettleiingsperiode med Veilederkorpset. "
        "Vi ber dykk sende invitasjonen vidare og gi oss melding om skuleeigaren takkar ja eller nei innan "
        "måndag 25. jan. 2027."
    )
    assert "Rettleiarar: d.lie\nNettverk: Sunnhordland\nSvarfrist: måndag 25. jan. 2027\n" in nynorsk["body"]
    assert bokmal["subject"] == "Veilederkorpset: invitasjon til Drammen (3301), pulje 2027"
    assert "til en veiledningsperiode med Veilederkorpset" in bokmal["body"]
    assert "Veiledere: d.lie\nNettverk: Sunnhordland\nSvarfrist: mandag 25. jan. 2027\n" in bokmal["body"]
    # The outbox keeps each letter's language, and the mail says it (Content-Language) to the reader's programs.
    assert (nynorsk["language"], bokmal["language"]) == ("nn", "nb")
    assert mail_message(nynorsk, "veilederkorpset@udir.no")["Content-Language"] == "nn"
    assert mail_message(bokmal, "veilederkorpset@udir.no")["Content-Language"] == "nb"
    assert current_language() == "nb", "the activity left no language set behind"


async def test_the_reminder_to_the_county_governor_is_in_its_language_too(
    store: RecordStore, pool: asyncpg.Pool
) -> None:
    env = ActivityEnvironment()
    reminded = factories.invitation("reminded", "reminded", AT + timedelta(days=21))

    await env.run(store.record_invitation, reminded)
    await env.run(store.record_invitation, _in_buskerud(reminded))

    letters = await _letters(pool, "invitation_reminder")
    assert letters["sf46@statsforvalteren.no"]["subject"] == "Påminning: ikkje svar frå Kvinnherad (4617), pulje 2027"
    assert letters["sf33@statsforvalteren.no"]["subject"] == "Påminnelse: ikke svar fra Drammen (3301), pulje 2027"
    assert "innan måndag 8. feb. 2027, blir skuleeigaren registrert" in letters["sf46@statsforvalteren.no"]["body"]


async def _start_period_of_voss(store: RecordStore, env: ActivityEnvironment) -> None:
    """The test period, owned by Voss (4621, nynorsk) instead of Drammen."""
    started = factories.period_started(factories.new_period())
    voss = started.period.model_copy(update={"owner_id": "4621", "owner_name": "Voss", "county": "46"})
    await env.run(store.record_period_started, started.model_copy(update={"period": voss}))


def _meeting(owner_name: str) -> MeetingRecord:
    record = factories.meeting(
        factories.new_period(), factories.follow_up(), STARTED_AT + timedelta(days=20), "update:meeting-1"
    )
    return record.model_copy(update={"owner_name": owner_name})


async def _event(path: Path) -> Event:
    [event] = Calendar.from_ical(await asyncio.to_thread(path.read_bytes)).walk("VEVENT")
    assert isinstance(event, Event)
    return event


async def test_a_meeting_invitation_is_in_the_owners_language_summary_description_and_mail(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    await _start_period_of_voss(store, env)

    event = await _event(Path(await env.run(store.record_meeting, _meeting("Voss"))))

    # The meeting kind as the period's plan names it in nynorsk ([labels.nn.meeting_kinds]).
    assert str(event["SUMMARY"]) == "Veilederkorpset: Oppfølgingsmøte med Voss"
    assert event["SUMMARY"].params["LANGUAGE"] == "nn"
    assert str(event["DESCRIPTION"]).startswith("Veilederkorpset: Oppfølgingsmøte med Voss, avtalt av rettleiar")
    assert "Skular:\n- Fjell skole" in str(event["DESCRIPTION"])
    mail = await pool.fetchrow("SELECT subject, body, language FROM outbox WHERE kind = 'meeting_invitation'")
    assert mail is not None and mail["language"] == "nn"
    assert mail["subject"] == "Veilederkorpset: Oppfølgingsmøte med Voss"
    assert mail["body"].startswith("tysdag 02.03.2027 09:00 (Europe/Oslo), 120 minutt\n\n")


async def test_a_meeting_of_a_bokmal_owner_is_invited_in_bokmal(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    await env.run(store.record_period_started, factories.period_started(factories.new_period()))

    event = await _event(Path(await env.run(store.record_meeting, _meeting("Drammen"))))

    assert str(event["DESCRIPTION"]).startswith("Veilederkorpset: Oppfølgingsmøte med Drammen, avtalt av veileder")
    assert event["DESCRIPTION"].params["LANGUAGE"] == "nb"
    body = await pool.fetchval("SELECT body FROM outbox WHERE kind = 'meeting_invitation'")
    assert body.startswith("tirsdag 02.03.2027 09:00 (Europe/Oslo), 120 minutter\n\n")


async def test_a_gathering_invitation_is_in_each_owners_language(store: RecordStore, pool: asyncpg.Pool) -> None:
    gatherings = GatheringStore(pool, store.settings)
    record = factories.national_gathering(AT)
    drammen = GatheringGuest(
        owner_id="3301", owner_name="Drammen", county="33", advisers=["a.hansen"], period_workflow_id=WORKFLOW_ID
    )
    record = record.model_copy(update={"guests": [record.guests[0], drammen]})

    files = await ActivityEnvironment().run(gatherings.record_national_gathering, record)

    kvinnherad, bokmal = [await _event(Path(f)) for f in files]
    assert str(kvinnherad["DESCRIPTION"]) == (
        "Utdanningsdirektoratet inviterer Kvinnherad (4617) til den nasjonale samlinga Start gathering, pulje 2027."
    )
    assert str(bokmal["DESCRIPTION"]) == (
        "Utdanningsdirektoratet inviterer Drammen (3301) til den nasjonale samlingen Start gathering, pulje 2027."
    )
    assert str(bokmal["SUMMARY"]) == "Veilederkorpset: Start gathering"
    subjects = {r["message_key"].split("/")[3]: r["subject"] for r in await pool.fetch("SELECT * FROM outbox")}
    assert subjects == {
        "4617": "Veilederkorpset: Start gathering, tysdag 14. sep. 2027",
        "3301": "Veilederkorpset: Start gathering, tirsdag 14. sep. 2027",
    }


def _reminder_of_voss(kind: str = "phase_reminder") -> NoticeRecord:
    record = factories.notice(factories.new_period(), kind)  # type: ignore[arg-type]
    period = record.period.model_copy(update={"owner_id": "4621", "owner_name": "Voss", "county": "46"})
    return record.model_copy(update={"period": period})


async def test_a_reminder_is_in_the_owners_language(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    await env.run(store.send_notice, _reminder_of_voss())

    letter = await pool.fetchrow("SELECT subject, body, recipients FROM outbox")
    assert letter is not None
    assert letter["recipients"] == ["a.hansen@veileder.test", "b.olsen@veileder.test"]
    # The phase by the plan's own nynorsk label (plans/veilederkorpset.toml, [labels.nn.phases]).
    assert letter["subject"] == "Påminning: Voss (4621), Kartlegging og analyse er forfallen"
    assert letter["body"].startswith("Fasen Kartlegging og analyse hadde frist ")
    assert "og er ikkje avslutta; registrer milepælen som avsluttar han" in letter["body"]
    assert "\nRettleiarar: a.hansen, b.olsen\n" in letter["body"]


async def test_an_escalation_goes_to_the_directorate_in_bokmal_whatever_the_owner_reads(
    store: RecordStore, pool: asyncpg.Pool, env: ActivityEnvironment
) -> None:
    await env.run(store.send_notice, _reminder_of_voss("escalation"))

    letter = await pool.fetchrow("SELECT subject, body, language FROM outbox")
    assert letter is not None and letter["language"] == "nb"
    assert letter["subject"] == "Eskalering: Voss (4621) er fortsatt i Kartlegging og analyse"
    assert "og påminnelsene til veilederne har ikke hjulpet" in letter["body"]


def test_the_audit_entries_of_these_tests_name_one_workflow() -> None:
    # A guard for the helpers above: a copied record keeps the workflow the activity environment names.
    assert _reminder_of_voss().audit.workflow_id == WORKFLOW_ID
    assert isinstance(factories.invitation("invited", "invited", AT).audit, AuditEntry)
