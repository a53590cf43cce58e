"""Finding school owners by name or number across every cohort (the web app's search).

Names are matched here, in Python, rather than with SQL's ILIKE: lower-casing Æ, Ø and Å in PostgreSQL depends
on the server's locale (a ``C`` database leaves them as they are), while `str.casefold` after NFKC does not. The
store's owners are few (Norway has 371 school owners; each is listed once per name), so the search reads their
numbers and names and then only the matched owners' periods and invitations, with bound parameters throughout.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from language.current import gettext as _
from readmodel.records import InvitationRow, OwnerName, PeriodRow, RecordReader

#: The longest query taken (an owner's name is far shorter); a longer one is refused, not cut.
MAX_QUERY_LENGTH = 100
#: The most owners one search lists; more matches say to narrow the search.
MAX_OWNERS = 50


class SearchError(ValueError):
    """The query cannot be searched for; the message says why."""


def normalised(text: str) -> str:
    """`text` as the search compares it: composed (NFKC), case-folded, blanks collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def checked_query(query: str) -> str:
    """The query as searched for.

    Raises:
        SearchError: It holds a NUL character or is longer than `MAX_QUERY_LENGTH`.
    """
    if "\x00" in query:
        raise SearchError(_("q: the search must not contain a NUL character"))
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(
            _("q: the search is at most %(max)s characters (%(given)s given)")
            % {"max": MAX_QUERY_LENGTH, "given": len(query)}
        )
    return normalised(query)


def matches(owner: OwnerName, query: str) -> bool:
    """A number matches from its start (``33`` finds 3301); a name anywhere in it (``sund`` finds Haugesund)."""
    return owner.owner_id.startswith(query) or query in normalised(owner.owner_name)


@dataclass(frozen=True)
class CohortEntry:
    """One cohort an owner is in: its period there (if it has one the searcher may see), else its invitation."""

    cohort: str
    period: PeriodRow | None
    invitation: InvitationRow | None


@dataclass(frozen=True)
class OwnerHit:
    owner_id: str
    owner_name: str
    entries: list[CohortEntry]


@dataclass(frozen=True)
class SearchResult:
    query: str
    owners: list[OwnerHit]
    #: More owners matched than `MAX_OWNERS`; only the first are listed.
    truncated: bool


async def search_owners(reader: RecordReader, query: str, *, adviser: str | None) -> SearchResult:
    """The owners whose number or name matches `query`, with every cohort they are in, newest cohort first.

    Args:
        reader: The record store.
        query: What was typed (checked with `checked_query` first).
        adviser: Only this adviser's periods (and no invitations); None for a coordinator, who sees all.
    """
    wanted = checked_query(query)
    if not wanted:
        return SearchResult(query, [], truncated=False)
    names: dict[str, str] = {}
    for owner in await reader.owner_names(adviser=adviser):
        if matches(owner, wanted):
            names.setdefault(owner.owner_id, owner.owner_name)
    found = sorted(names)
    chosen = found[:MAX_OWNERS]
    periods = await reader.periods_of_owners(chosen, adviser=adviser)
    invitations = [] if adviser is not None else await reader.invitations(owner_ids=chosen)
    owners = []
    for owner_id in chosen:
        by_cohort: dict[str, CohortEntry] = {}
        for invitation in (i for i in invitations if i.owner_id == owner_id):
            by_cohort[invitation.cohort] = CohortEntry(invitation.cohort, None, invitation)
        for period in (p for p in periods if p.owner_id == owner_id):
            known = by_cohort.get(period.cohort)
            by_cohort[period.cohort] = CohortEntry(period.cohort, period, known.invitation if known else None)
        entries = sorted(by_cohort.values(), key=lambda e: e.cohort, reverse=True)
        owners.append(OwnerHit(owner_id, names[owner_id], entries))
    return SearchResult(query, owners, truncated=len(found) > MAX_OWNERS)
