"""The language of the request or command being served, and the gettext functions that read it.

One context variable holds the language, set at the edge (the web app's `LanguageMiddleware`, the CLI from
`LANG`); templates and code call `gettext` without passing the language around. Contexts copy it into tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from language import DEFAULT, Language
from language.catalogs import translations

_current: ContextVar[Language] = ContextVar("language", default=DEFAULT)


def current_language() -> Language:
    return _current.get()


def set_language(language: Language) -> None:
    """Use `language` for the rest of this context (the request's task, or the CLI process)."""
    _current.set(language)


@contextmanager
def using(language: Language) -> Iterator[None]:
    """Render in `language` inside the block (a letter in its recipient's language), then back."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    return str(translations(_current.get()).pgettext(context, message))


def N_(message: str) -> str:  # noqa: N802 - the gettext convention extractors look for
    """Mark `message` for the catalogs without translating it here (translated where it is shown)."""
    return message
