"""Jinja environments that speak the current language: `{{ _("...") }}`, `{% trans %}`, and the date filters."""

from __future__ import annotations

from jinja2 import Environment

from language import NAMES
from language.current import current_language, gettext, ngettext, pgettext


def install(environment: Environment) -> None:
    """Give `environment` the i18n extension, bound to the current language at each render."""
    environment.add_extension("jinja2.ext.i18n")
    # newstyle: `_("Hello %(name)s", name=x)` formats and escapes the translated text itself.
    environment.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext)  # type: ignore[attr-defined]
    environment.globals["current_language"] = current_language
    environment.globals["language_names"] = NAMES
