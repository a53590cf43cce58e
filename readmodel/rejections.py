"""A refused update in the reader's language: the workflow's code and parameters, said through the catalogs.

The workflow refuses an update in English (its own words, what history and other clients read) and sends a
stable code, the field and JSON-safe parameters beside it (`domain.period.Rejection.details`,
docs/temporal-contract.md). The edge (the web app, the `guidance` command) calls `render_rejection` with them:

- `MESSAGES` holds one English template per code (some codes have a variant per case, ``code[variant]``),
  marked for the catalogs; the catalogs give it in bokmål, nynorsk and Swedish.
- Days read with their weekday in the reader's language (``mandag 7. des. 2026``, `language.formats`); the
  phases, milestones and development areas named in the parameters read as the plan calls them
  (`readmodel.labels`).
- English is the source language: in English the reader gets the workflow's own message, word for word, as
  the command and the pages always said it. A code this module does not know (a newer worker) also falls back
  to that message, so a refusal always says something.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import holidays

from language import SOURCE
from language.current import N_, current_language, gettext
from language.formats import long_day, number
from readmodel.labels import area_label, competence_state_label, milestone_label, phase_label

#: The English template of every code the domain and the workflows refuse with (keep tests/readmodel/
#: test_rejections.py's list of raised codes in step). Placeholders are the parameters, formatted by `_FORMAT`.
MESSAGES: dict[str, str] = {
    # A meeting or gathering on a day that is no working day: which kind of day, which kind of event, and
    # which day to pick instead (the next working day, or the last one of the period).
    "date.not_working_day[weekend,meetings,next]": N_(
        "%(date)s is not a working day; meetings fall on working days; the next working day is %(next_working_day)s"
    ),
    "date.not_working_day[weekend,meetings,last]": N_(
        "%(date)s is not a working day; meetings fall on working days; "
        "the last working day of the period is %(last_working_day)s"
    ),
    "date.not_working_day[weekend,gatherings,next]": N_(
        "%(date)s is not a working day; gatherings fall on working days; the next working day is %(next_working_day)s"
    ),
    "date.not_working_day[holiday,meetings,next]": N_(
        "%(date)s is a public holiday (%(holiday)s); meetings fall on working days; "
        "the next working day is %(next_working_day)s"
    ),
    "date.not_working_day[holiday,meetings,last]": N_(
        "%(date)s is a public holiday (%(holiday)s); meetings fall on working days; "
        "the last working day of the period is %(last_working_day)s"
    ),
    "date.not_working_day[holiday,gatherings,next]": N_(
        "%(date)s is a public holiday (%(holiday)s); gatherings fall on working days; "
        "the next working day is %(next_working_day)s"
    ),
    "date.in_past": N_("%(date)s %(time)s is in the past; the next working day is %(next_working_day)s"),
    "date.after_period_end": N_(
        "%(date)s is after the period's end (%(ends)s); the last working day of the period is %(last_working_day)s"
    ),
    "date.before_start": N_("%(date)s is before the period starts on %(start)s; meetings can be agreed from %(first)s"),
    "date.not_after_today": N_("%(date)s is not after today (%(today)s); the first allowed day is %(first)s"),
    "date.too_many_gatherings": N_("the cohort has %(count)s gatherings, the most it may hold"),
    "period.ended": N_("the period has ended (%(phase)s); nothing more can be recorded"),
    "adviser.not_assigned": N_("%(adviser)s is not assigned to this period; assigned: %(assigned)s"),
    "adviser.not_in_network": N_("%(adviser)s advises no school owner of network %(network)s; allowed: %(allowed)s"),
    "advisers.unchanged": N_(
        "the period already has exactly these advisers (%(advisers)s); name at least one adviser to add or leave out"
    ),
    "milestone.not_closing": N_(
        "%(milestone)s does not close the current phase %(phase)s; the milestone that does is %(closing)s"
    ),
    "milestone.unknown": N_(
        "%(milestone)s is not a milestone of this plan; the milestone that closes the current phase %(phase)s "
        "is %(closing)s"
    ),
    "milestone.before_start": N_(
        "%(milestone)s cannot be recorded before the period starts on %(start)s; "
        "milestones can be recorded from %(start)s"
    ),
    "skipped.not_optional": N_("the phase %(phase)s cannot be skipped; optional phases of this plan: %(optional)s"),
    "goals.missing": N_("give at least one goal"),
    "goals.empty": N_("a goal may not be empty"),
    "goals.only_with": N_("goals are given only with the milestone %(milestone)s"),
    "goals.not_in_plan": N_("this plan records no goals"),
    "development_area.only_with": N_("a development area is given only with the milestone %(milestone)s"),
    "development_area.not_in_plan": N_("this plan records no development area"),
    "development_area.required": N_("choose a development area with this milestone; allowed: %(allowed)s"),
    "development_area.not_allowed": N_("%(area)s is not an allowed development area; allowed: %(allowed)s"),
    "development_area_other.required": N_("say which core task when the development area is “other”"),
    "development_area_other.not_expected": N_("is given only when the development area is “other”"),
    "partner.required": N_("say who supports the school owner: the guidance corps or another expert partner"),
    "partner.only_with": N_("a partner is given only with the milestone %(milestone)s"),
    "partner.not_in_plan": N_("this plan records no partner"),
    "partner_name.required": N_("name the expert partner"),
    "partner_name.not_expected": N_("is given only when the partner is another expert partner"),
    "report.only_with": N_("a report is given only with the milestones %(milestones)s"),
    "report.not_in_plan": N_("this plan records no reports"),
    "report_date.required": N_("give the day the school owner handed in the report"),
    "report_date.future": N_("%(date)s is after today (%(today)s); give the day the report was handed in"),
    "report_date.before_start": N_("%(date)s is before the period starts on %(start)s"),
    "report_ref.required": N_("give the report's case number (e.g. 2027/1234-5) or its web address"),
    "next_cycle.not_in_plan": N_("this plan has no new development cycles"),
    "next_cycle.only_with": N_("a new development cycle is started only with the milestone %(milestone)s"),
    "next_cycle.too_late": N_(
        "only %(left)s whole months remain of the period (it ends %(ends)s); "
        "a new development cycle needs at least %(needed)s"
    ),
    "meeting_id.network_meeting": N_("%(meeting_id)s is a network meeting; the cohort's coordinator moves it"),
    "meeting_id.unknown": N_("%(meeting_id)s is not a meeting of this period; known: %(known)s"),
    "meeting_id.cancelled": N_("%(meeting_id)s was cancelled on %(cancelled_on)s; agree a new meeting instead"),
    "meeting_id.network": N_("%(meeting_id)s is a network meeting; the cohort keeps it"),
    "meeting_id.past": N_("%(meeting_id)s began on %(date)s; only a meeting that lies ahead can be cancelled"),
    "meeting_id.too_many": N_("the period holds %(count)s meetings, the most it may; move one of them instead"),
    "meeting_id.too_many_network": N_(
        "the cohort holds %(count)s network meetings, the most it may; move one of them instead"
    ),
    "meeting_id.unknown_network": N_("%(meeting_id)s is not a meeting of network %(network)s; known: %(known)s"),
    "schools.unknown": N_("%(unknown)s not among this period's schools; allowed: %(allowed)s"),
    "owner_id.not_invited": N_("%(owner_id)s is not invited to cohort %(cohort)s; invited: %(invited)s"),
    "owner_id.reply_too_late": N_(
        "the reply deadline for %(owner_name)s (%(owner_id)s) has passed (%(reply_by)s, reminded, last day "
        "%(last_day)s); recorded as no reply"
    ),
    "owner_id.already_answered": N_("%(owner_name)s (%(owner_id)s) has already answered: %(answer)s"),
    "owner_id.not_assessed": N_(
        "%(owner_id)s is not among the school owners the county governor is asked to assess for cohort %(cohort)s; "
        "asked about: %(asked)s"
    ),
    "owner_id.other_county": N_(
        "%(owner_name)s (%(owner_id)s) is in county %(county)s; the county governor of county %(own_county)s "
        "assesses only its own county's school owners"
    ),
    "owner_id.assessment_too_late": N_(
        "the deadline for the county governor's assessment of %(owner_name)s (%(owner_id)s) was %(reply_by)s; it is "
        "recorded as no reply, and the Directorate decides without it"
    ),
    "owner_id.already_assessed": N_(
        "%(owner_name)s (%(owner_id)s) has been assessed already, by %(recorded_by)s with priority %(priority)s; an "
        "assessment is recorded once"
    ),
    "priority.out_of_range": N_(
        "%(priority)s is not a place among the %(count)s school owners of county %(county)s to prioritise; give 1 "
        "to %(count)s"
    ),
    "priority.taken": N_(
        "priority %(priority)s in county %(county)s is given to %(holder)s already; two school owners of a county "
        "never share a place; free: %(free)s"
    ),
    "network.unknown": N_("%(network)s is not a network of cohort %(cohort)s; known: %(known)s"),
    "network.not_running": N_("no period of network %(network)s is running"),
    "gathering_id.unknown": N_("%(gathering_id)s is not a gathering of this cohort; known: %(known)s"),
    "gathering_id.held": N_("%(gathering_id)s was held on %(date)s; it cannot be moved"),
    # Competence environments (domain.competence): which environment, the period's area, the order of the steps.
    "environment.not_in_plan": N_("this plan chooses no development area, so no competence environment serves it"),
    "environment.no_development_area": N_(
        "the period has no development area in this cycle yet; environments are proposed for it once "
        "%(milestone)s is recorded"
    ),
    "environment.area_not_served": N_(
        "%(environment)s does not serve the period's development area %(area)s; it serves: %(serves)s"
    ),
    "environment.too_many": N_("the period holds %(count)s competence environments, the most it may"),
    "state.not_proposed": N_(
        "%(environment)s has not been proposed in this cycle; propose it before recording it as %(state)s"
    ),
    "state.already_agreed": N_("%(environment)s is agreed already; nothing follows an agreement"),
    "state.out_of_order": N_("%(environment)s is %(current)s; the next step is %(next)s"),
    "date.in_future": N_(
        "%(date)s is in the future; record a step once it has happened, today (%(today)s) at the latest"
    ),
    "date.before_previous_step": N_(
        "%(date)s is before %(environment)s was %(previous)s; the first allowed day is %(first)s"
    ),
    "date.before_area_chosen": N_(
        "%(date)s is before the development area was chosen; the first allowed day is %(first)s"
    ),
}

#: An invitation's answer, as `owner_id.already_answered` names it.
_ANSWERS: dict[str, str] = {
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "no_reply": N_("no reply"),
}

#: The parameters that are days (ISO strings in the details): said with their weekday.
_DAYS = frozenset(
    {
        "date",
        "next_working_day",
        "last_working_day",
        "ends",
        "start",
        "first",
        "today",
        "reply_by",
        "last_day",
        "cancelled_on",
    }
)

#: `holidays` names a holiday in these languages (Norwegian in bokmål only, so nynorsk borrows it).
_HOLIDAY_LANGUAGES = {"nb": "no", "nn": "no", "sv": "sv", "en": "en_US"}
#: A country's own language for its holidays: a Swedish reader gets Norway's in Norwegian rather than in English.
_COUNTRY_LANGUAGES = {"NO": "no", "SE": "sv"}


def _none_if_empty(items: Sequence[str]) -> str:
    return ", ".join(items) if items else gettext("none")


def _step(value: Any) -> str:
    """A competence environment's state inside a sentence (``contacted``), as the catalogs say it."""
    return competence_state_label(str(value)).lower()


def _day(value: Any) -> str:
    return long_day(date.fromisoformat(str(value)))


def _holiday(params: Mapping[str, Any]) -> str:
    """The holiday's name in the reader's language where `holidays` knows it (else in the country's own), or as
    the workflow named it (the days the calendar adds itself, such as Sweden's Midsummer Eve)."""
    fallback = str(params.get("holiday") or "")
    try:
        day = date.fromisoformat(str(params["date"]))
        country = str(params["country"])
        supported = holidays.country_holidays(country).supported_languages
    except (KeyError, ValueError, NotImplementedError):
        return fallback
    for language in (_HOLIDAY_LANGUAGES[current_language()], _COUNTRY_LANGUAGES.get(country)):
        if language in supported:
            name = holidays.country_holidays(country, years=day.year, language=language).get(day)
            return str(name or fallback)
    return fallback


def _variant(code: str, params: Mapping[str, Any]) -> str:
    """The key of `MESSAGES` for this refusal: the code, or the code with its case for the codes that have some."""
    if code == "date.not_working_day":
        kind = "holiday" if params.get("holiday") else "weekend"
        hint = "last" if "last_working_day" in params else "next"
        return f"{code}[{kind},{params.get('applies_to')},{hint}]"
    return code


def _formatted(params: Mapping[str, Any], plan: str | None) -> dict[str, str]:
    """Each parameter as the reader reads it: days with weekdays, codes as the plan calls them, lists joined."""
    by_name: dict[str, Callable[[Any], str]] = {
        "phase": lambda v: phase_label(plan, str(v)),
        "milestone": lambda v: milestone_label(plan, str(v)),
        "closing": lambda v: milestone_label(plan, str(v)),
        "milestones": lambda v: _none_if_empty([milestone_label(plan, str(m)) for m in v]),
        "optional": lambda v: _none_if_empty([phase_label(plan, p) for p in v]),
        "area": lambda v: area_label(plan, str(v)),
        "answer": lambda v: gettext(_ANSWERS[v]) if v in _ANSWERS else str(v),
        "serves": lambda v: _none_if_empty([area_label(plan, a) for a in v]) if isinstance(v, list) else str(v),
        "state": _step,
        "current": _step,
        "next": _step,
        "previous": _step,
        "count": number,
        "left": number,
        "needed": number,
    }
    formatted: dict[str, str] = {}
    for name, value in params.items():
        if name in by_name:
            formatted[name] = by_name[name](value)
        elif name in _DAYS and value:
            formatted[name] = _day(value)
        elif isinstance(value, list):
            formatted[name] = _none_if_empty([str(item) for item in value])
        else:
            formatted[name] = "" if value is None else str(value)
    if params.get("holiday"):
        formatted["holiday"] = _holiday(params)
    return formatted


def _allowed_areas(params: Mapping[str, Any], plan: str | None) -> dict[str, str]:
    """The development areas a plan allows, named as the plan calls them (the `allowed` of those codes)."""
    return {"allowed": _none_if_empty([area_label(plan, a) for a in params.get("allowed") or []])}


def render_rejection(code: str | None, params: Mapping[str, Any] | None, message: str) -> str:
    """The refusal in the current language (without its field), or `message` (the workflow's English words).

    `message` is the rejection's message without the ``field: `` prefix; it is the answer in English and for
    a code (or a case of one) `MESSAGES` does not know.
    """
    if current_language() == SOURCE or not code:
        return message
    params = dict(params or {})
    template = MESSAGES.get(_variant(code, params))
    if template is None:
        return message
    plan = str(params["plan"]) if params.get("plan") else None
    try:
        values = _formatted(params, plan)
        if code.startswith("development_area."):
            values.update(_allowed_areas(params, plan))
        return gettext(template) % values
    except (KeyError, ValueError, TypeError):
        # A parameter missing or not of its kind (another worker's details): the workflow's English words.
        return message
