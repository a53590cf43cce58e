"""The registry of Norway's school owners (skoleeiere), read from the reference data shipped in `config/data/`.

Every municipality (kommune) is a school owner for primary and lower secondary school, with its
four-digit number; every county authority (fylkeskommune) is a school owner for upper secondary
school, with its two-digit number, except Oslo (03), where the municipality 0301 is both. With the
357 municipalities and 15 counties valid from 2026-01-01 that makes 357 + 14 = 371 school owners.
Where the data comes from: `config/data/SOURCE.md`.

Municipality names are kept as the official name, with the Sami or Kven forms where the
municipality has them (``Oslo - Oslove``, ``Kárášjohka - Karasjok``); a county authority is named
after its county (``Rogaland fylkeskommune``).

The data is read once per process with `importlib.resources` (so it works from an installed wheel)
and cached; the functions hand out copies, so a caller can never change the registry.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from functools import cache
from importlib import resources

from domain.models import SchoolOwner

#: The county whose municipality is also its county authority (there is no separate school owner 03).
OSLO_COUNTY = "03"
OSLO_MUNICIPALITY = "0301"

_MUNICIPALITIES = "municipalities.csv"
_COUNTIES = "counties.csv"


class UnknownOwner(LookupError):
    """No school owner has the given id: the message says what an id looks like and suggests close matches."""

    def __init__(self, owner_id: str, suggestions: list[SchoolOwner]) -> None:
        hint = (
            "a school owner id is a municipality's four-digit number (e.g. 3301) or a county "
            "authority's two-digit number (e.g. 11); Oslo is the municipality 0301 only"
        )
        message = f"unknown school owner {owner_id!r}; {hint}"
        if suggestions:
            message += "; did you mean: " + ", ".join(f"{o.id} {o.name}" for o in suggestions)
        super().__init__(message)
        self.owner_id = owner_id
        self.suggestions = suggestions


def _read_csv(name: str) -> list[dict[str, str]]:
    text = (resources.files("config") / "data" / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def _registry() -> tuple[SchoolOwner, ...]:
    counties = {row["county_number"]: row["county_name"] for row in _read_csv(_COUNTIES)}
    owners: list[SchoolOwner] = []
    for row in _read_csv(_MUNICIPALITIES):
        county = row["county_number"]
        if county not in counties:
            raise ValueError(
                f"{_MUNICIPALITIES}: municipality {row['municipality_number']} lies in county {county}, "
                f"which {_COUNTIES} does not list"
            )
        owners.append(
            SchoolOwner(
                id=row["municipality_number"], name=row["municipality_name"], kind="municipality", county=county
            )
        )
    for number, name in counties.items():
        if number != OSLO_COUNTY:
            owners.append(SchoolOwner(id=number, name=f"{name} fylkeskommune", kind="county_authority", county=number))
    owners.sort(key=lambda o: o.id)
    ids = [o.id for o in owners]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{_MUNICIPALITIES}/{_COUNTIES}: duplicate school owner ids {', '.join(duplicates)}")
    return tuple(owners)


@cache
def counties() -> dict[str, str]:
    """Norway's counties by number (the county governors' too): ``{"46": "Vestland", ...}``."""
    return {row["county_number"]: row["county_name"] for row in _read_csv(_COUNTIES)}


@cache
def _by_id() -> dict[str, SchoolOwner]:
    return {o.id: o for o in _registry()}


def _fold(text: str) -> str:
    """Lower case without diacritics, so ``karasjohka`` finds ``Kárášjohka`` (å becomes a; ø and æ stay)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def all_owners() -> list[SchoolOwner]:
    """Every school owner, ordered by id (a county authority just before its county's municipalities)."""
    return [o.model_copy() for o in _registry()]


def owner_by_id(owner_id: str) -> SchoolOwner:
    """The school owner with this official number.

    Raises:
        UnknownOwner: no owner has this id; the message suggests close matches.
    """
    key = owner_id.strip()
    owner = _by_id().get(key)
    if owner is None:
        raise UnknownOwner(owner_id, _suggestions(key))
    return owner.model_copy()


def find_owners(text: str) -> list[SchoolOwner]:
    """The owners whose name contains `text`, case-insensitively (and ignoring accents), ordered by id."""
    needle = _fold(text.strip())
    if not needle:
        return []
    return [o.model_copy() for o in _registry() if needle in _fold(o.name)]


def _suggestions(key: str, limit: int = 5) -> list[SchoolOwner]:
    by_id = _by_id()
    found: list[str] = []
    if key == OSLO_COUNTY:
        found.append(OSLO_MUNICIPALITY)
    elif key.isascii() and key.isdigit():
        found += _id_suggestions(key, list(by_id), limit)
    else:
        folded = _fold(key)
        if folded:
            found += [o.id for o in _registry() if _fold(o.name).startswith(folded)]
            found += [o.id for o in _registry() if folded in _fold(o.name)]
            names = {_fold(part): o.id for o in _registry() for part in (o.name, *o.name.split(" - "))}
            found += [names[n] for n in difflib.get_close_matches(folded, list(names), n=limit, cutoff=0.7)]
    unique = list(dict.fromkeys(found))[:limit]
    return [by_id[i].model_copy() for i in unique]


def _id_suggestions(key: str, ids: list[str], limit: int) -> list[str]:
    """Ids in the same county (or series) as `key`, nearest first; a lost leading zero is put back."""
    wanted = key.zfill(4) if len(key) == 3 else key
    same_length = [i for i in ids if len(i) == max(len(wanted), 2)]

    def shared(i: str) -> int:
        return len(_common_prefix(i, wanted))

    near = [i for i in same_length if shared(i) >= (1 if len(wanted) <= 2 else 2)]
    near.sort(key=lambda i: (-shared(i), abs(int(i) - int(wanted))))
    return near[:limit] or difflib.get_close_matches(key, ids, n=limit, cutoff=0.5)


def _common_prefix(a: str, b: str) -> str:
    length = 0
    while length < min(len(a), len(b)) and a[length] == b[length]:
        length += 1
    return a[:length]
