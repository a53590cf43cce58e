"""What the read model needs to know of a period's programme plan: phase order, closing milestones, meeting gap,
meeting kinds.

Phases are data per plan (names as the record store holds them), so nothing here compares against a fixed list:
the plan version the period runs answers, as the record store kept it when the period started
(`programme_plans`). Until that record is written the plan of this name as this process resolves it stands in,
and a plan it cannot resolve (renamed, or a setting out of bounds) still lets the pages render, with the
fallbacks below.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from config.settings import InvalidPlanSettings, UnknownPlan, resolve_plan
from domain.programme import COMMON_MEETING_KINDS, PlanLabels, ProgrammePlan

#: When a period's plan cannot be resolved: the Veilederkorpset default (docs/temporal-contract.md).
FALLBACK_MEETING_GAP_WEEKS = 8


@dataclass(frozen=True)
class PlanFacts:
    """The parts of a plan the pages use."""

    name: str
    phases: tuple[str, ...]
    closing_milestones: dict[str, str]
    meeting_gap_weeks: int
    development_areas: tuple[str, ...]
    meeting_kinds: tuple[str, ...] = COMMON_MEETING_KINDS
    calendar_country: str = "NO"
    optional_phases: tuple[str, ...] = ()
    #: Per language, what people call the codes (empty for a plan version recorded before labels existed).
    labels: dict[str, PlanLabels] = field(default_factory=dict)
    #: What a milestone records besides itself, per milestone that records something (`domain.programme.Records`).
    records: dict[str, str] = field(default_factory=dict)

    def closing_milestone(self, phase: str) -> str | None:
        """The milestone that closes `phase` (None for a phase the plan does not have, e.g. `completed`)."""
        return self.closing_milestones.get(phase)

    @property
    def milestones(self) -> tuple[str, ...]:
        """Every closing milestone in phase order."""
        return tuple(self.closing_milestones[p] for p in self.phases)

    def milestones_recording(self, records: str) -> tuple[str, ...]:
        """The milestones that record `records` (``partner``, ``report``, ...), in phase order."""
        return tuple(m for m in self.milestones if self.records.get(m) == records)


@functools.lru_cache(maxsize=32)
def resolved_plan_facts(name: str) -> PlanFacts:
    """The facts of the plan called `name` as this process resolves it: for a period whose plan version the
    record store does not hold yet (its start record is still on its way)."""
    try:
        return plan_facts(resolve_plan(name))
    except (UnknownPlan, InvalidPlanSettings):
        return PlanFacts(name, (), {}, FALLBACK_MEETING_GAP_WEEKS, ())


def plan_facts(plan: ProgrammePlan) -> PlanFacts:
    """The facts of one plan version."""
    phases = tuple(str(p.phase) for p in plan.phases)
    return PlanFacts(
        name=plan.name,
        phases=phases,
        closing_milestones={str(p.phase): str(p.closing_milestone) for p in plan.phases},
        meeting_gap_weeks=plan.meeting_gap_weeks,
        development_areas=tuple(plan.development_areas),
        meeting_kinds=plan.meeting_kinds,
        calendar_country=plan.calendar_country,
        optional_phases=tuple(str(p.phase) for p in plan.phases if p.optional),
        labels={str(language): labels for language, labels in plan.labels.items()},
        records={str(p.closing_milestone): p.records for p in plan.phases if p.records is not None},
    )
