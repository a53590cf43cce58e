"""The phases of a guidance period (veiledningsperiode) and the milestones that close them.

These names are part of the Temporal contract in DESIGN.md: any client may send them, so they are
never renamed. Phases in order: kartlegging og analyse (mapping), forankring (anchoring), valg av
utviklingsområde (development_area), prioritering av mål (goal_prioritisation), iverksetting av
tiltak (implementation), evaluering (evaluation).
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Where a period stands: one of the six working phases or one of the three terminal states."""

    MAPPING = "mapping"
    ANCHORING = "anchoring"
    DEVELOPMENT_AREA = "development_area"
    GOAL_PRIORITISATION = "goal_prioritisation"
    IMPLEMENTATION = "implementation"
    EVALUATION = "evaluation"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_PHASES


class Milestone(StrEnum):
    """The milestone an adviser records to close a phase."""

    MAPPING_DONE = "mapping_done"
    ANCHORING_DONE = "anchoring_done"
    DEVELOPMENT_AREA_CHOSEN = "development_area_chosen"
    GOALS_PRIORITISED = "goals_prioritised"
    MEASURES_IMPLEMENTED = "measures_implemented"
    EVALUATION_DONE = "evaluation_done"


WORKING_PHASES: tuple[Phase, ...] = (
    Phase.MAPPING,
    Phase.ANCHORING,
    Phase.DEVELOPMENT_AREA,
    Phase.GOAL_PRIORITISATION,
    Phase.IMPLEMENTATION,
    Phase.EVALUATION,
)
TERMINAL_PHASES: frozenset[Phase] = frozenset({Phase.COMPLETED, Phase.WITHDRAWN, Phase.EXPIRED})

CLOSING_MILESTONE: dict[Phase, Milestone] = {
    Phase.MAPPING: Milestone.MAPPING_DONE,
    Phase.ANCHORING: Milestone.ANCHORING_DONE,
    Phase.DEVELOPMENT_AREA: Milestone.DEVELOPMENT_AREA_CHOSEN,
    Phase.GOAL_PRIORITISATION: Milestone.GOALS_PRIORITISED,
    Phase.IMPLEMENTATION: Milestone.MEASURES_IMPLEMENTED,
    Phase.EVALUATION: Milestone.EVALUATION_DONE,
}


def next_phase(phase: Phase) -> Phase:
    """The phase that follows a working phase; `completed` after evaluation."""
    index = WORKING_PHASES.index(phase)
    return WORKING_PHASES[index + 1] if index + 1 < len(WORKING_PHASES) else Phase.COMPLETED
