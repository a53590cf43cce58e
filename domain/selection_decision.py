"""A coordinator's decision on a shortlist: which owners a cohort invites, with which advisers, from when.

The web app's shortlist page builds it from the coordinator's choices and starts `SelectionDecisionWorkflow`
(id ``decision-{cohort}``) with it; the workflow's activity keeps it in the record store (`selection_decisions`)
with who decided it and when, and an audit entry. The cohort is later started from exactly the decision's
`CohortInput`, as `guidance cohort start` would start it. Pure: no I/O; the owner register is checked by whoever
builds the decision (the register lives in config/).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from domain.assessment import MAX_ASSESSED_OWNERS, SeenAssessment
from domain.cohort import CohortInput
from domain.models import AdviserId, CohortName, ShortText, _Message
from domain.records import AuditEntry

#: Owners one decision may choose: a cohort is a few dozen; the shortlist's default is 40 (30 + 10).
MAX_DECISION_OWNERS = 200

#: The SHA-256 of the indicator file the shortlist was scored from (the web app keeps files by it).
FileHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def _known(info: ValidationInfo, key: str) -> frozenset[str] | None:
    """What the validation context (`DecisionForm.model_validate(..., context=...)`) says is known, if it says."""
    known = (info.context or {}).get(key)
    return frozenset(known) if known is not None else None


class ChosenOwner(_Message):
    """One owner the coordinator ticked on the shortlist, with its advisers and options."""

    owner_id: str = Field(pattern=r"^\d{2}(\d{2})?$")
    advisers: list[AdviserId] = Field(min_length=1, max_length=10)
    network: ShortText | None = None
    kindergarten_transition: bool = False

    @field_validator("owner_id")
    @classmethod
    def _on_the_shortlist(cls, value: str, info: ValidationInfo) -> str:
        known = _known(info, "owners")
        if known is not None and value not in known:
            raise ValueError(f"{value} is not on this shortlist")
        return value

    @field_validator("advisers")
    @classmethod
    def _known_advisers(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = _known(info, "advisers")
        unknown = [a for a in value if known is not None and a not in known]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: no such adviser; choose from {', '.join(sorted(known or ()))}")
        if len(set(value)) < len(value):
            raise ValueError("an adviser is named twice")
        return value


class DecisionForm(_Message):
    """What the coordinator chose on the shortlist page. Validated with a context naming the shortlist's owners
    (``owners``), the advisers who may be chosen (``advisers``) and the programme plans (``plans``)."""

    cohort: CohortName
    start_date: date = Field(ge=date(2000, 1, 1), le=date(2090, 12, 31))
    plan: str = Field(default="veilederkorpset", max_length=64)
    owners: list[ChosenOwner] = Field(min_length=1, max_length=MAX_DECISION_OWNERS)

    @field_validator("owners")
    @classmethod
    def _each_owner_once(cls, value: list[ChosenOwner]) -> list[ChosenOwner]:
        ids = [o.owner_id for o in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"each school owner is chosen once; chosen more than once: {', '.join(twice)}")
        return value

    @field_validator("plan")
    @classmethod
    def _known_plan(cls, value: str, info: ValidationInfo) -> str:
        known = _known(info, "plans")
        if known is not None and value not in known:
            raise ValueError(f"{value!r} is not a programme plan; known plans: {', '.join(sorted(known))}")
        return value


class SelectionDecision(_Message):
    """Input of `SelectionDecisionWorkflow`: the cohort as it is to start, who decided, and on which file."""

    workflow_start_input: ClassVar[bool] = True

    cohort: CohortInput
    decided_by: AdviserId
    indicator_file: FileHash
    #: The owners' ranks on the shortlist, by owner id (what the coordinator saw when choosing).
    ranks: dict[str, int] = Field(default_factory=dict, max_length=MAX_DECISION_OWNERS)
    #: The county governors' assessment of the spread-track owners as it stood when the decision was saved (the
    #: cohort's `CountyAssessmentWorkflow`), empty when none was asked for; kept with the decision and its audit.
    assessments: list[SeenAssessment] = Field(default_factory=list, max_length=MAX_ASSESSED_OWNERS)


class SelectionDecisionRecord(BaseModel):
    """The `selection_decisions` row and the audit entry the workflow's activity writes."""

    decision: SelectionDecision
    decided_at: datetime
    audit: AuditEntry


class SavedDecision(BaseModel):
    """A decision as the record store keeps it (`readmodel.records.RecordReader.decision`)."""

    cohort: str
    decision: SelectionDecision
    decided_by: str
    decided_at: datetime
    indicator_file: str
