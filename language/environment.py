"""The language of a command-line program, from the POSIX locale variables of its environment.

The rule is the one GNU gettext follows, so `guidance` speaks as the other programs of the same shell do:
the locale is the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set and not empty; a locale of
``C`` or ``POSIX`` (or none) means "no language chosen" and gives the default, bokmål, and then ``LANGUAGE``
is ignored too. Otherwise the first language of the colon list in ``LANGUAGE`` that the system speaks wins,
else the locale's own. ``no`` (the old code for Norwegian, as in ``no_NO``) is bokmål; a language the system
does not speak (``de_DE.UTF-8``) gives the default as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from language import DEFAULT, Language, parse_language

#: The locale variables in their order of precedence (POSIX).
LOCALE_VARIABLES: Final[tuple[str, ...]] = ("LC_ALL", "LC_MESSAGES", "LANG")
#: Locales that choose no language: programs speak their built-in one, which for this system is bokmål.
_NO_LANGUAGE: Final[frozenset[str]] = frozenset({"c", "posix"})
#: Codes that name one of the languages under another name.
_ALIASES: Final[dict[str, Language]] = {"no": "nb"}


def language_from_environment(environ: Mapping[str, str]) -> Language:
    """The language `environ` (e.g. ``os.environ``) asks for; bokmål when it asks for none the system speaks."""
    locale = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    if _language_code(locale) in _NO_LANGUAGE or not locale:
        return DEFAULT
    for entry in environ.get("LANGUAGE", "").split(":"):
        if (chosen := language_of_locale(entry)) is not None:
            return chosen
    return language_of_locale(locale) or DEFAULT


def language_of_locale(locale: str) -> Language | None:
    """The language of one locale name (``nn_NO.UTF-8``, ``sv``, ``no_NO@euro``), or None if it is not one of ours."""
    code = _language_code(locale)
    return _ALIASES.get(code) or parse_language(code)


def _language_code(locale: str) -> str:
    """``nn_NO.UTF-8@euro`` -> ``nn``: the part before the territory, the encoding and the modifier."""
    for separator in ("@", ".", "_", "-"):
        locale = locale.split(separator, 1)[0]
    return locale.strip().lower()
