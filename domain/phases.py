"""Phase and milestone names: the flagship's (a contract) and the rule every plan's names follow.

A programme plan (domain.programme) names its own phases and the milestones that close them, so in
messages and state a phase or milestone is a plain string (`PhaseName`, `MilestoneName`). The
Veilederkorpset plan's names are part of the Temporal contract (docs/temporal-contract.md): any client may send them,
so they are never renamed. Its phases in order: kartlegging og analyse (mapping), forankring
(anchoring), valg av utviklingsområde (development_area), prioritering av mål (goal_prioritisation),
iverksetting av tiltak (implementation), evaluering (evaluation). Every plan ends in the same three
terminal states: completed, withdrawn, expired.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

#: A phase of some plan, or a terminal state: lower-case letters, digits and underscores.
PhaseName = Annotated[str, StringConstraints(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]
#: A milestone of some plan: the same shape as a phase name.
MilestoneName = Annotated[str, StringConstraints(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]


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


def is_terminal(phase: str) -> bool:
    """Whether a phase name is one of the terminal states every plan shares."""
    return phase in TERMINAL_PHASES


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
TERMINAL_PHASES: frozenset[str] = frozenset({Phase.COMPLETED, Phase.WITHDRAWN, Phase.EXPIRED})

CLOSING_MILESTONE: dict[Phase, Milestone] = {
    Phase.MAPPING: Milestone.MAPPING_DONE,
    Phase.ANCHORING: Milestone.ANCHORING_DONE,
    Phase.DEVELOPMENT_AREA: Milestone.DEVELOPMENT_AREA_CHOSEN,
    Phase.GOAL_PRIORITISATION: Milestone.GOALS_PRIORITISED,
    Phase.IMPLEMENTATION: Milestone.MEASURES_IMPLEMENTED,
    Phase.EVALUATION: Milestone.EVALUATION_DONE,
}
