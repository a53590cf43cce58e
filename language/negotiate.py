"""Which language to serve a person: their own choice first, else the browser's `Accept-Language`, else bokmål."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError, negotiate_locale

from language import DEFAULT, LANGUAGES, Language, parse_language

# A browser saying plain "no" (or "no-NO") means Norwegian; bokmål is what most who send it read.
_ALIASES = {"no": "nb"}
# Bounded: a header is hostile input like any other.
MAX_HEADER = 512
MAX_ENTRIES = 20


def from_accept_language(header: str | None) -> Language:
    """The best of `LANGUAGES` for an `Accept-Language` header, by its quality values; bokmål if none fits."""
    if not header:
        return DEFAULT
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:MAX_HEADER].split(",")[:MAX_ENTRIES]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    preferred: list[str] = []
    for _, _, tag in sorted(weighted):
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        preferred.append(_ALIASES.get(language, language))
    chosen = negotiate_locale(preferred, list(LANGUAGES))
    return parse_language(chosen) or DEFAULT


def choose(chosen: object, accept_language: str | None) -> Language:
    """The person's chosen language if it is one of ours, else the browser's guess."""
    return parse_language(chosen) or from_accept_language(accept_language)
