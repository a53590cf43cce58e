"""The language each recipient reads: school owners and county governors, bokmål unless `languages.csv` says.

Letters to the county governor, calendar invitations and reminders are written in their recipient's language
(the activities render them with `language.current.using`). The choices are kept in `config/data/languages.csv`
(`kind`, `id`, `language`): a school owner by its registry id, a county governor by its county number. The file
is read once per process and checked whole; a row naming an unknown language, an unknown owner or county, or a
recipient twice is refused with the row's line number.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from typing import Literal, get_args

from config.owners import OSLO_COUNTY, UnknownOwner, all_owners, owner_by_id
from language import DEFAULT, LANGUAGES, Language, parse_language

RecipientKind = Literal["municipality", "county_authority", "county_governor"]
RECIPIENT_KINDS: tuple[RecipientKind, ...] = get_args(RecipientKind)
LANGUAGES_FILE = "languages.csv"
COLUMNS = ("kind", "id", "language")


class LanguageFileError(ValueError):
    """`languages.csv` (or the text given to `parse_languages`) has a row the system cannot use."""


def parse_languages(text: str, source: str = LANGUAGES_FILE) -> dict[tuple[RecipientKind, str], Language]:
    """The recipients' languages in `text` (CSV with `COLUMNS`), keyed by (kind, id).

    Raises:
        LanguageFileError: a missing column, an unknown kind, language, owner or county, or a recipient twice.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise LanguageFileError(f"{source}: the header lacks {', '.join(missing)} (expected {','.join(COLUMNS)})")
    counties = {o.county for o in all_owners()} | {OSLO_COUNTY}
    chosen: dict[tuple[RecipientKind, str], Language] = {}
    for line, row in enumerate(reader, start=2):
        where = f"{source} line {line}"
        kind, recipient, value = (row[c].strip() if row[c] else "" for c in COLUMNS)
        language = parse_language(value)
        if language is None:
            raise LanguageFileError(f"{where}: unknown language {value!r}; one of {', '.join(LANGUAGES)}")
        known_kind = _kind(kind)
        if known_kind is None:
            raise LanguageFileError(f"{where}: unknown kind {kind!r}; one of {', '.join(RECIPIENT_KINDS)}")
        if known_kind == "county_governor":
            if recipient not in counties:
                raise LanguageFileError(f"{where}: no county has the number {recipient!r}")
        else:
            try:
                owner = owner_by_id(recipient)
            except UnknownOwner as error:
                raise LanguageFileError(f"{where}: {error}") from None
            if owner.kind != known_kind:
                raise LanguageFileError(f"{where}: {recipient} {owner.name} is a {owner.kind}, not a {known_kind}")
        if (known_kind, recipient) in chosen:
            raise LanguageFileError(f"{where}: {known_kind} {recipient} has a language already")
        chosen[(known_kind, recipient)] = language
    return chosen


def _kind(value: str) -> RecipientKind | None:
    for kind in RECIPIENT_KINDS:
        if value == kind:
            return kind
    return None


@cache
def _languages() -> dict[tuple[RecipientKind, str], Language]:
    text = (resources.files("config") / "data" / LANGUAGES_FILE).read_text(encoding="utf-8-sig")
    return parse_languages(text)


def recipient_language(kind: RecipientKind, recipient_id: str) -> Language:
    """The language `recipient_id` of `kind` reads: its row in `languages.csv`, else bokmål."""
    return _languages().get((kind, recipient_id.strip()), DEFAULT)


def owner_language(owner_id: str) -> Language:
    """The language a school owner (municipality or county authority) reads; bokmål for an unknown id."""
    key = owner_id.strip()
    kind: RecipientKind = "county_authority" if len(key) == 2 else "municipality"
    return recipient_language(kind, key)


def county_governor_language(county: str) -> Language:
    """The language the county governor (Statsforvalteren) of `county` reads."""
    return recipient_language("county_governor", county)


def check_languages() -> int:
    """Read and check `languages.csv` now (at start-up), so a bad row stops the worker, not the first letter.

    Returns:
        How many recipients have a language other than the default.
    """
    return len(_languages())
