"""The languages people read the system in: bokmål (the default), nynorsk, Swedish and English.

English is the source language: every message is written in English in the code and the templates, and the
catalogs under `language/locales/` (gettext, made with Babel: `make messages`) give it in bokmål, nynorsk and
Swedish. Dates, times and numbers are formatted per language by Babel (`language.formats`).
"""

from __future__ import annotations

from typing import Final, Literal

Language = Literal["nb", "nn", "sv", "en"]

#: The languages a person may choose, in the order the language picker lists them.
LANGUAGES: Final[tuple[Language, ...]] = ("nb", "nn", "sv", "en")
DEFAULT: Final[Language] = "nb"
#: English is the source: the catalogs translate from it, so it has none of its own.
SOURCE: Final[Language] = "en"
#: Each language's name in itself, for the picker.
NAMES: Final[dict[Language, str]] = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "sv": "Svenska", "en": "English"}
#: The Babel locale that formats dates and numbers for each language (British English: day before month).
LOCALES: Final[dict[Language, str]] = {"nb": "nb_NO", "nn": "nn_NO", "sv": "sv_SE", "en": "en_GB"}


def parse_language(value: object) -> Language | None:
    """`value` if it names a language of `LANGUAGES`, else None (a hostile or stale value is just ignored)."""
    for language in LANGUAGES:
        if value == language:
            return language
    return None
