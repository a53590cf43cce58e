"""What Temporal's visibility shows of a period: its search attributes, at its start and as it changes.

One rule, used by the client API when it starts a period (all of them given at the start, so a new period's
first workflow task upserts nothing) and by the workflow, which upserts them when they change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio.common import SearchAttributePair, SearchAttributeUpdate, TypedSearchAttributes

from domain import period as rules
from domain.contract import (
    ADVISERS,
    AT_RISK,
    COHORT,
    COUNTY,
    DEVELOPMENT_AREA,
    GUIDANCE_PHASE,
    OVERDUE,
    PHASE_DUE_AT,
    PLAN_VERSION,
    PROGRAMME_PLAN,
    SCHOOL_OWNER,
)
from domain.models import PeriodInput, PeriodState


def initial_search_attributes(period: PeriodInput) -> TypedSearchAttributes:
    """The search attributes a period has from its first moment (given at its start); the workflow updates them."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(SCHOOL_OWNER, period.owner.id),
        SearchAttributePair(COHORT, period.cohort),
        SearchAttributePair(COUNTY, period.owner.county),
        SearchAttributePair(ADVISERS, list(period.advisers)),
        SearchAttributePair(PROGRAMME_PLAN, period.plan),
    ]
    if period.programme is not None:  # else the worker loads the plan and the first task sets these
        # All a new period's attributes, so that its first workflow task has none to upsert (a visibility
        # write on the server for each of hundreds of periods a cohort starts at once).
        due = rules.phase_due_at(rules.new_state(period, period.programme))
        pairs.append(SearchAttributePair(GUIDANCE_PHASE, period.programme.first_phase))
        pairs.append(SearchAttributePair(PLAN_VERSION, period.programme.version))
        pairs.append(SearchAttributePair(OVERDUE, False))
        if period.programme.warns_at_risk:
            pairs.append(SearchAttributePair(AT_RISK, False))
        if due is not None:
            pairs.append(SearchAttributePair(PHASE_DUE_AT, due))
    return TypedSearchAttributes(pairs)


def search_attributes(state: PeriodState, now: datetime) -> list[SearchAttributeUpdate[Any]]:
    """The period's search attributes for its current state (ids only, never names).

    ``AtRisk`` only for a plan that warns before a deadline: the periods of histories recorded before it never had
    the attribute, and their upserts stay as they were.
    """
    due = rules.phase_due_at(state)
    at_risk = [AT_RISK.value_set(rules.is_at_risk(state, now))] if state.plan.warns_at_risk else []
    return [
        GUIDANCE_PHASE.value_set(str(state.phase)),
        SCHOOL_OWNER.value_set(state.input.owner.id),
        COHORT.value_set(state.input.cohort),
        COUNTY.value_set(state.input.owner.county),
        ADVISERS.value_set(list(state.input.advisers)),
        OVERDUE.value_set(rules.is_overdue(state, now)),
        DEVELOPMENT_AREA.value_set(state.development_area)
        if state.development_area is not None
        else DEVELOPMENT_AREA.value_unset(),
        PHASE_DUE_AT.value_set(due) if due is not None else PHASE_DUE_AT.value_unset(),
        PROGRAMME_PLAN.value_set(state.plan.name),
        PLAN_VERSION.value_set(state.plan.version),
        *at_risk,
    ]
