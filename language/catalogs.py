"""The compiled message catalogs, loaded once per language.

The `.po` files are the source (committed); the `.mo` files are compiled from them by `make` (never committed).
A missing compiled catalog is an installation error, said plainly, not a page silently in English.
"""

from __future__ import annotations

from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from language import SOURCE, Language

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


class CatalogMissing(RuntimeError):
    """A language's compiled catalog is not installed; the message says how to build it."""


def compiled_path(language: Language) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def translations(language: Language) -> NullTranslations:
    """The translations into `language` (none for English, the source language).

    Raises:
        CatalogMissing: The `.mo` file was not compiled (run `make messages-compile`).
    """
    if language == SOURCE:
        return NullTranslations()
    path = compiled_path(language)
    if not path.is_file():
        raise CatalogMissing(f"{path} is missing: compile the catalogs with `make messages-compile`")
    with path.open("rb") as compiled:
        # The standard library's reader, not Babel's (which adds nothing used here): Babel's costs every
        # `guidance` command a tenth of a second of imports (issue 21: start-up).
        return GNUTranslations(compiled)
