"""What people call a plan's codes, in the current language: phases, milestones, meeting kinds, development areas.

The names come from the plan's own labels (``[labels.nb.phases]`` in its file, docs/programme-plans.md). The
terminal states every plan shares (completed, withdrawn, expired) are no plan's phases: the catalogs say them.
A plan version recorded before labels existed borrows the labels of the plan of that name as this process
resolves it; a code no plan names (a plan renamed, an old record) reads as the code made readable, never an
error, so a page always renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from jinja2 import Environment

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


class _Labelled(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def labels(self) -> Mapping[str, PlanLabels]: ...


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
        named: str | None = getattr(labels, table).get(code)
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


def install(environment: Environment) -> None:
    """The labels as filters: ``{{ period.phase | phase_label(period.plan) }}`` (the code first, then the plan)."""
    environment.filters["phase_label"] = lambda code, plan=None: phase_label(plan, code)
    environment.filters["milestone_label"] = lambda code, plan=None: milestone_label(plan, code)
    environment.filters["meeting_kind_label"] = lambda code, plan=None: meeting_kind_label(plan, code)
    environment.filters["area_label"] = lambda code, plan=None: area_label(plan, code)
