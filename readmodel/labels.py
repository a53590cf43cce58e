"""What people call a plan's codes, in the current language: phases, milestones, meeting kinds, development areas.

The names come from the plan's own labels (``[labels.nb.phases]`` in its file, docs/programme-plans.md). The
terminal states every plan shares (completed, withdrawn, expired) are no plan's phases: the catalogs say them.
A plan version recorded before labels existed borrows the labels of the plan of that name as this process
resolves it; a code no plan names (a plan renamed, an old record) reads as the code made readable, never an
error, so a page always renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from domain.phases import Phase
from domain.programme import PlanLabels
from language.current import N_, current_language, gettext
from readmodel.plans import resolved_plan_facts

#: The terminal states, said by the catalogs (no plan file names them).
_TERMINAL: dict[str, str] = {
    Phase.COMPLETED: N_("Completed"),
    Phase.WITHDRAWN: N_("Withdrawn"),
    Phase.EXPIRED: N_("Expired"),
}


#: The kinds of letter in the outbox (activities/schema.sql), said by the catalogs: they are the engine's, no plan's.
_LETTER_KINDS: dict[str, str] = {
    "meeting_invitation": N_("Meeting invitation"),
    "reminder": N_("Reminder"),
    "escalation": N_("Escalation"),
    "invitation_letter": N_("Invitation letter"),
    "invitation_reminder": N_("Invitation reminder"),
    "gathering_invitation": N_("Gathering invitation"),
    "assessment_request": N_("Assessment request"),
    "assessment_reminder": N_("Assessment reminder"),
}


#: Who supports an owner of the follow-up scheme (`domain.models.PartnerKind`): the engine's codes, no plan's.
_PARTNERS: dict[str, str] = {
    "guidance_corps": N_("the guidance corps"),
    "expert_partner": N_("another expert partner"),
}


class _Recorded(Protocol):
    """A milestone as the status or the record store holds it: what it recorded besides itself."""

    @property
    def partner(self) -> str | None: ...

    @property
    def partner_name(self) -> str | None: ...

    @property
    def report_date(self) -> date | None: ...

    @property
    def report_ref(self) -> str | None: ...


#: Competence environments (domain.competence): their kinds and where one stands with the owner, said by the catalogs.
_ENVIRONMENT_KINDS: dict[str, str] = {
    "national_centre": N_("National centre"),
    "university": N_("University"),
    "university_college": N_("University college"),
    "statped": N_("Special needs education service"),
    "regional_network": N_("Regional network"),
}
_COMPETENCE_STATES: dict[str, str] = {
    "proposed": N_("Proposed"),
    "contacted": N_("Contacted"),
    "agreed": N_("Agreed"),
}


class _Labelled(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def labels(self) -> Mapping[Any, PlanLabels]: ...  # keyed by language (a Literal in the plan model)


#: A plan: its name (as a period row holds it), or a plan (version) with its labels.
PlanRef = str | _Labelled | None


def _labels(plan: PlanRef) -> PlanLabels | None:
    if plan is None:
        return None
    language = current_language()
    if not isinstance(plan, str):
        own = plan.labels.get(language)
        if own is not None:
            return own
        plan = plan.name
    return resolved_plan_facts(plan).labels.get(language)


def _readable(code: str) -> str:
    """A code no plan names, made readable: ``goal_prioritisation`` as ``Goal prioritisation``."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _label(plan: PlanRef, table: str, code: str | None) -> str:
    if not code:
        return ""
    labels = _labels(plan)
    if labels is not None:
        named = labels.named(table, code)
        if named is not None:
            return named
    return _readable(code)


def phase_label(plan: PlanRef, code: str | None) -> str:
    """The name of a phase of `plan`, or of a terminal state, in the current language."""
    if code in _TERMINAL:
        return gettext(_TERMINAL[code])
    return _label(plan, "phases", code)


def milestone_label(plan: PlanRef, code: str | None) -> str:
    return _label(plan, "milestones", code)


def meeting_kind_label(plan: PlanRef, code: str | None) -> str:
    return _label(plan, "meeting_kinds", code)


def area_label(plan: PlanRef, code: str | None) -> str:
    return _label(plan, "development_areas", code)


def chosen_area_label(plan: PlanRef, area: str | None, other: str | None = None) -> str:
    """The development area a period chose, as people read it: the core task itself after "Other"."""
    if area == "other" and other:
        return f"{area_label(plan, area)}: {other}"
    return area_label(plan, area)


def partner_label(partner: str | None, name: str | None = None) -> str:
    """The partner an owner's support is agreed with, as people read it: an expert partner by its name."""
    if not partner:
        return ""
    said = gettext(_PARTNERS[partner]) if partner in _PARTNERS else _readable(partner)
    return f"{said}: {name}" if name else said


def milestone_facts(entry: _Recorded) -> str:
    """What a milestone recorded besides itself (the partner, or the report handed in), or "" for none."""
    if entry.partner:
        return gettext("support from %(partner)s") % {"partner": partner_label(entry.partner, entry.partner_name)}
    if entry.report_date is not None:
        return gettext("report handed in %(day)s, %(reference)s") % {
            "day": entry.report_date.isoformat(),
            "reference": entry.report_ref or "",
        }
    return ""


def letter_kind_label(kind: str | None) -> str:
    if not kind:
        return ""
    return gettext(_LETTER_KINDS[kind]) if kind in _LETTER_KINDS else _readable(kind)


def environment_kind_label(kind: str | None) -> str:
    if not kind:
        return ""
    return gettext(_ENVIRONMENT_KINDS[kind]) if kind in _ENVIRONMENT_KINDS else _readable(kind)


def competence_state_label(state: str | None) -> str:
    if not state:
        return ""
    return gettext(_COMPETENCE_STATES[state]) if state in _COMPETENCE_STATES else _readable(state)
