"""iCalendar feeds (RFC 5545) of meetings and gatherings, per adviser and per school owner.

An owner's feed is linked from a period page, so the person who gets the link is an adviser (or a
coordinator), and it holds the owner's periods that person may open: the owner's meetings on another
adviser's period are that adviser's and the owner's business, not theirs (`owner_feed_address`).

A feed's address carries a token derived from the app's secret with HMAC-SHA256, so a calendar
program can subscribe without signing in, and nobody can guess another person's feed. A meeting keeps
the UID of its invitation (`activities.invitations.meeting_uid`), so the feed and the mailed
invitation are the same event in a calendar, and names the same people: the ORGANIZER and the ATTENDEEs (the
period's advisers and the owner's contact person) as `config.people.People.meeting_participants` chooses them.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Literal

from icalendar import Calendar, Event

from activities.invitations import PRODID, add_participants, gathering_uid, meeting_uid
from config.people import People
from domain.contract import cohort_workflow_id
from language.current import gettext
from readmodel.labels import meeting_kind_label
from readmodel.records import PeriodRecords

FeedKind = Literal["adviser", "owner"]
TOKEN_LENGTH = 32


def feed_token(secret: str, kind: FeedKind, name: str) -> str:
    """The secret token in the address of `name`'s feed (stable while the app's secret is)."""
    digest = hmac.new(secret.encode(), f"calendar-feed:{kind}:{name}".encode(), hashlib.sha256).hexdigest()
    return digest[:TOKEN_LENGTH]


def owner_feed_address(secret: str, owner_id: str, viewer: str) -> str:
    """The address of `owner_id`'s feed as `viewer` (the signed-in user who is given it) may see it: the
    meetings and gatherings of the owner's periods `viewer` may open (an adviser's own periods of the owner,
    every one for a coordinator). The token covers owner and viewer, so it opens nothing more."""
    token = feed_token(secret, "owner", owner_feed_name(owner_id, viewer))
    return f"/feeds/owners/{owner_id}.ics?for={viewer}&token={token}"


def owner_feed_name(owner_id: str, viewer: str) -> str:
    # A user name has no line break (webapp.users), so owner and viewer cannot run into each other.
    return f"{owner_id}\n{viewer}"


def token_is_valid(secret: str, kind: FeedKind, name: str, token: str) -> bool:
    """Whether `token` opens `name`'s feed (compared in constant time)."""
    return hmac.compare_digest(feed_token(secret, kind, name), token)


def calendar_feed(records: PeriodRecords, *, name: str, now: datetime, people: People) -> bytes:
    """One VCALENDAR with every meeting and gathering of `records.periods`.

    A national gathering shared by several of the periods appears once.

    Args:
        records: The periods of the feed, their meetings and gatherings and their owners' contacts.
        name: Whose feed it is, for the calendar's name.
        now: The DTSTAMP of every event (when the feed was made).
        people: The people file: the advisers' addresses and names, the owners' default contacts.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Veilederkorpset: {name}")
    stamp = now.astimezone(UTC)
    seen_gatherings: set[str] = set()
    for period in records.periods:
        contact = people.owner_contact(period.owner_id, records.contact_of(period.workflow_id))
        for meeting in records.meetings_of(period.workflow_id):
            event = Event()
            event.add("uid", meeting_uid(period.workflow_id, meeting.meeting_id))
            event.add("sequence", meeting.sequence)
            if meeting.cancelled_at is not None:  # kept with its UID, so a subscribed calendar drops it too
                event.add("status", "CANCELLED")
            event.add("dtstamp", stamp)
            event.add("dtstart", meeting.starts_at.astimezone(UTC))
            event.add("dtend", meeting.starts_at.astimezone(UTC) + timedelta(minutes=meeting.duration_minutes))
            # In the language of whoever fetches the feed (the request's), named as the period's plan names it.
            label = meeting_kind_label(period.plan, meeting.kind)
            event.add("summary", f"{period.owner_name}: {meeting.title or label}")
            event.add(
                "description",
                gettext("%(meeting)s with %(owner)s (%(owner_id)s); adviser %(adviser)s; period %(period)s")
                % {
                    "meeting": label,
                    "owner": period.owner_name,
                    "owner_id": period.owner_id,
                    "adviser": meeting.adviser,
                    "period": period.workflow_id,
                },
            )
            add_participants(event, people.meeting_participants(meeting.adviser, period.advisers, contact))
            calendar.add_component(event)
        for gathering in records.gatherings_of(period.workflow_id):
            uid = gathering_uid(cohort_workflow_id(period.cohort), gathering.gathering_id)
            if uid in seen_gatherings:
                continue
            seen_gatherings.add(uid)
            event = Event()
            event.add("uid", uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", gathering.gathering_date)
            event.add("dtend", gathering.gathering_date + timedelta(days=1))
            event.add("summary", f"Veilederkorpset: {gathering.title}")
            if gathering.place:
                event.add("location", gathering.place)
            event.add("description", gettext("National gathering of cohort %(cohort)s") % {"cohort": period.cohort})
            calendar.add_component(event)
    return bytes(calendar.to_ical())
