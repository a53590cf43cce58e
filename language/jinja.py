"""Jinja environments that speak the current language: `{{ _("...") }}`, `{% trans %}`, and the date filters."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from language import NAMES, Language
from language.catalogs import translations
from language.current import current_language, gettext, ngettext, pgettext

#: Messages kept translated and formatted, of every language together: the templates hold about 300, so in
#: four languages all of them stay, and text passed in from data cannot grow it without bound.
_KEPT_MESSAGES = 4096


def install(environment: Environment) -> None:
    """Give `environment` the i18n extension, bound to the current language at each render."""
    environment.add_extension("jinja2.ext.i18n")
    # newstyle: `_("Hello %(name)s", name=x)` formats and escapes the translated text itself.
    environment.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext)  # type: ignore[attr-defined]
    # The i18n extension's own `gettext` formats every message again at every call, and its `_` looks `gettext` up
    # on each: a dozen microseconds for each of the hundreds of messages on a page. Same result, kept.
    environment.globals["gettext"] = environment.globals["_"] = _gettext
    environment.globals["current_language"] = current_language
    environment.globals["language_names"] = NAMES


@pass_eval_context
def _gettext(context: EvalContext, message: str, /, **variables: Any) -> str:
    """Newstyle gettext: the translation, escaped in an autoescaping template, always formatted (`%%` is `%`)."""
    if not variables:
        return _without_variables(current_language(), message, context.autoescape)
    return _formatted(gettext(message), context.autoescape, variables)


@functools.lru_cache(maxsize=_KEPT_MESSAGES)
def _without_variables(language: Language, message: str, autoescape: bool) -> str:
    return _formatted(translations(language).gettext(message), autoescape, {})


def _formatted(translated: str, autoescape: bool, variables: dict[str, Any]) -> str:
    """As the i18n extension formats: trusted as markup in an autoescaping template, so the variables are escaped."""
    return (Markup(translated) if autoescape else translated) % variables
