"""A form's validation errors in the person's language: which field, and what it takes.

The domain validates in pydantic and cannot speak (it must not import `language`): a problem reaches the web
app as pydantic's error type with its context (``string_too_long``, ``max_length=200``), or, for the domain's
own rules, as the English text of its `ValueError`. Here each is said again through gettext: the error types
by a table of messages, the domain's rules by a table of their English patterns (marked with `N_`, so they are
in the catalogs). A problem neither table knows keeps pydantic's English rather than say nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from language.current import N_, gettext
from readmodel.display import display_date

#: The form-wide error's key, for what belongs to no one field (the period ended, Temporal is down).
FORM: Final = "form"

#: Each form field's name as its label reads (the owner's fields of the shortlist end in its number).
FIELD_LABELS: Final[Mapping[str, str]] = {
    "milestone": N_("Milestone"),
    "skipped": N_("Skip this phase"),
    "note": N_("Note"),
    "development_area": N_("Development area"),
    "development_area_other": N_("Core task"),
    "goals": N_("Goals"),
    "next_cycle": N_("New development cycle"),
    "partner": N_("Partner"),
    "partner_name": N_("Name of the expert partner"),
    "report_date": N_("Report handed in on"),
    "report_ref": N_("Report reference"),
    "adviser": N_("Adviser"),
    "kind": N_("Kind"),
    "date": N_("Date"),
    "start": N_("Start"),
    "duration_minutes": N_("Minutes"),
    "title": N_("Title"),
    "meeting_id": N_("Meeting"),
    "reason": N_("Reason"),
    "confirm": N_("Confirmation"),
    "advisers": N_("Advisers"),
    "owner_id": N_("Owner"),
    "answer": N_("Answer"),
    "by": N_("Passed on by"),
    "place": N_("Place"),
    "gathering_id": N_("Gathering"),
    "cohort": N_("Cohort name"),
    "start_date": N_("Periods start"),
    "plan": N_("Programme plan"),
    "owners": N_("Owners to invite"),
    "priority": N_("Priority"),
    "assessment": N_("Assessment"),
    "assessment_cohort": N_("Cohort name"),
    "reply_days": N_("Working days to answer"),
    "name": N_("Name"),
    "email": N_("Mail address"),
    "phone": N_("Phone"),
    "role": N_("Role"),
    "environment": N_("Competence environment"),
    "state": N_("Step"),
}
#: The shortlist's fields of one owner: ``advisers-3301`` reads "Advisers of 3301".
OWNER_FIELD_LABELS: Final[Mapping[str, str]] = {
    "owner": N_("Owner %(owner)s"),
    "advisers": N_("Advisers of %(owner)s"),
    "network": N_("Network of %(owner)s"),
    "kindergarten": N_("Kindergarten transition of %(owner)s"),
}

#: What a field with a pattern takes, said for a person (pydantic would show the regular expression).
_PATTERNS: Final[Mapping[str, str]] = {
    "cohort": N_("use only letters a-z, digits, - and _ (e.g. 2027)"),
    "assessment_cohort": N_("use only letters a-z, digits, - and _ (e.g. 2027)"),
    "owner_id": N_("give the owner's number: 2 or 4 digits"),
    "phone": N_("give a phone number of digits, spaces and + ( ) -, e.g. +47 32 04 70 00"),
    "name": N_("write it on one line"),
    "role": N_("write it on one line"),
}

_Render = Callable[[Mapping[str, Any]], str]


def _count(singular: str, plural: str, key: str) -> _Render:
    # Both forms are marked with N_ (two entries of the catalogs, not one plural entry), so each is looked up on its
    # own: ngettext would find no plural entry and answer in English. One is singular in nb, nn, sv and en alike.
    return lambda ctx: gettext(singular if int(ctx[key]) == 1 else plural) % {"num": ctx[key]}


def _limit(message: str, key: str) -> _Render:
    def render(ctx: Mapping[str, Any]) -> str:
        value = ctx[key]
        return gettext(message) % {"limit": display_date(value) if isinstance(value, date) else value}

    return render


def _fixed(message: str) -> _Render:
    return lambda ctx: gettext(message)


_VALID_DATE = N_("give a valid date as YYYY-MM-DD, e.g. 2027-03-15")
_VALID_TIME = N_("give a valid time of day as HH:MM, e.g. 09:30")
_WHOLE_NUMBER = N_("give a whole number")

#: pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/), each said again.
_BY_TYPE: Final[Mapping[str, _Render]] = {
    "missing": _fixed(N_("fill it in")),
    "string_too_short": _count(N_("at least %(num)s character"), N_("at least %(num)s characters"), "min_length"),
    "string_too_long": _count(N_("at most %(num)s character"), N_("at most %(num)s characters"), "max_length"),
    "too_short": _count(N_("at least %(num)s item"), N_("at least %(num)s items"), "min_length"),
    "too_long": _count(N_("at most %(num)s item"), N_("at most %(num)s items"), "max_length"),
    "date_parsing": _fixed(_VALID_DATE),
    "date_from_datetime_parsing": _fixed(_VALID_DATE),
    "date_from_datetime_inexact": _fixed(_VALID_DATE),
    "date_type": _fixed(_VALID_DATE),
    "time_parsing": _fixed(_VALID_TIME),
    "time_type": _fixed(_VALID_TIME),
    "int_parsing": _fixed(_WHOLE_NUMBER),
    "int_type": _fixed(_WHOLE_NUMBER),
    "int_from_float": _fixed(_WHOLE_NUMBER),
    "bool_parsing": _fixed(N_("tick the box or leave it empty")),
    "greater_than_equal": _limit(N_("give %(limit)s or more"), "ge"),
    "greater_than": _limit(N_("give more than %(limit)s"), "gt"),
    "less_than_equal": _limit(N_("give %(limit)s or less"), "le"),
    "less_than": _limit(N_("give less than %(limit)s"), "lt"),
    "literal_error": lambda ctx: gettext(N_("choose one of: %(allowed)s")) % {"allowed": ctx["expected"]},
    "enum": lambda ctx: gettext(N_("choose one of: %(allowed)s")) % {"allowed": ctx["expected"]},
}

#: The domain's own rules (its ValueErrors' English text, a field name before it at times), said again.
_DOMAIN_RULES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (
            r"contains control characters \((?P<chars>.+)\); use plain text",
            N_("contains control characters (%(chars)s); use plain text"),
        ),
        (
            r"give the local time without a UTC offset, e\.g\. 09:30",
            N_("give the local time without a UTC offset, e.g. 09:30"),
        ),
        (r"(advisers: )?each adviser may be named once", N_("each adviser may be named once")),
        (
            r"give the report's case number, e\.g\. 2027/1234-5, or its web address, e\.g\. https://\.\.\.",
            N_("give the report's case number, e.g. 2027/1234-5, or its web address, e.g. https://..."),
        ),
        (r"(?P<owner>\S+) is not on this shortlist", N_("%(owner)s is not on this shortlist")),
        (
            r"(?P<names>.+): no such adviser; choose from (?P<known>.*)",
            N_("%(names)s: no such adviser; choose from %(known)s"),
        ),
        (r"an adviser is named twice", N_("an adviser is named twice")),
        (
            r"each school owner is chosen once; chosen more than once: (?P<owners>.+)",
            N_("each school owner is chosen once; chosen more than once: %(owners)s"),
        ),
        (
            r"(owners: )?each school owner may be invited once; named more than once: (?P<owners>.+)",
            N_("each school owner may be invited once; named more than once: %(owners)s"),
        ),
        (
            r"(?P<address>'.*') is not a mail address \(user@domain.*",
            N_("%(address)s is not a mail address; write it as name@domain, e.g. kari.nordmann@drammen.kommune.no"),
        ),
        (
            r"(?P<plan>'.*') is not a programme plan; known plans: (?P<known>.*)",
            N_("%(plan)s is not a programme plan; known plans: %(known)s"),
        ),
    )
)


def field_label(field: str) -> str:
    """The field's label in the current language (the name itself for a field the tables do not know)."""
    if field in FIELD_LABELS:
        return gettext(FIELD_LABELS[field])
    kind, _, owner = field.partition("-")
    if owner and kind in OWNER_FIELD_LABELS:
        return gettext(OWNER_FIELD_LABELS[kind]) % {"owner": owner}
    return field


def domain_rule(text: str) -> str:
    """A domain rule's English text in the current language (unchanged when no pattern knows it)."""
    for pattern, message in _DOMAIN_RULES:
        found = pattern.fullmatch(text)
        if found:
            return gettext(message) % {k: v for k, v in found.groupdict().items() if v is not None}
    return text


def problem_text(problem: ErrorDetails, field: str) -> str:
    """What is wrong with the field and what it takes, in the current language."""
    kind, ctx = problem["type"], problem.get("ctx") or {}
    if kind == "string_pattern_mismatch" and field in _PATTERNS:
        return gettext(_PATTERNS[field])
    if kind == "value_error" and "error" in ctx:
        return domain_rule(str(ctx["error"]))
    render = _BY_TYPE.get(kind)
    if render is not None:
        try:
            return render(ctx)
        except (KeyError, ValueError, TypeError):
            pass  # a context pydantic shaped otherwise: its own words below
    return domain_rule(problem["msg"].removeprefix("Value error, "))


def said(field: str, text: str) -> str:
    """The message beside (or above) a field: its label, then what is wrong."""
    return gettext(N_("%(field)s: %(problem)s")) % {"field": field_label(field), "problem": text}


def field_errors(error: ValidationError, field_of: Callable[[tuple[int | str, ...]], str]) -> dict[str, str]:
    """Each problem of `error` under the form field `field_of` names for its location, first one per field."""
    errors: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        field = field_of(tuple(problem["loc"]))
        if field not in errors:
            errors[field] = said(field, problem_text(problem, field)) if field != FORM else problem_text(problem, field)
    return errors
