"""What people call a plan's codes, in the current language: phases, milestones, meeting kinds, development areas.

The names come from the plan's own labels (``[labels.nb.phases]`` in its file, docs/programme-plans.md). The
terminal states every plan shares (completed, withdrawn, expired) are no plan's phases: the catalogs say them.
A plan version recorded before labels existed borrows the labels of the plan of that name as this process
resolves it; a code no plan names (a plan renamed, an old record) reads as the code made readable, never an
error, so a page always renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from jinja2 import pass_context
from jinja2.runtime import Context

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


def letter_kind_label(kind: str | None) -> str:
    if not kind:
        return ""
    return gettext(_LETTER_KINDS[kind]) if kind in _LETTER_KINDS else _readable(kind)


def _at_render(label: Callable[..., str]) -> Callable[..., str]:
    """`label` as a filter Jinja calls when it renders, in the language of that moment: a filter over constants
    (``{{ 'mapping' | phase_label('veilederkorpset') }}``) would otherwise be worked out once, when the template
    is compiled, in whatever language was current then. Jinja never folds a filter that takes the context."""

    @pass_context
    def rendered(_context: Context, *args: Any) -> str:
        return label(*args)

    return rendered


#: The labels as Jinja filters, the code first and then the plan (its name, or a plan with its labels):
#: ``{{ period.phase | phase_label(period.plan) }}``. `readmodel.display.FILTERS` registers them everywhere.
FILTERS: dict[str, Callable[..., str]] = {
    "phase_label": _at_render(lambda code, plan=None: phase_label(plan, code)),
    "milestone_label": _at_render(lambda code, plan=None: milestone_label(plan, code)),
    "meeting_kind_label": _at_render(lambda code, plan=None: meeting_kind_label(plan, code)),
    "area_label": _at_render(lambda code, plan=None: area_label(plan, code)),
    # A period row: its chosen area with the core task of "other" (`{{ period | chosen_area_label }}`).
    "chosen_area_label": _at_render(
        lambda row: chosen_area_label(row.plan, row.development_area, row.development_area_other)
    ),
    "letter_kind_label": _at_render(letter_kind_label),
}
