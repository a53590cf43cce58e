"""A coordinator's decision on a shortlist: which owners a cohort invites, with which advisers, from when.

The web app's shortlist page builds it from the coordinator's choices and starts `SelectionDecisionWorkflow`
(id ``decision-{cohort}``) with it; the workflow's activity keeps it in the record store (`selection_decisions`)
with who decided it and when, and an audit entry. The cohort is later started from exactly the decision's
`CohortInput`, as `guidance cohort start` would start it. Pure: no I/O; the owner register is checked by whoever
builds the decision (the register lives in config/).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, StringConstraints

from domain.cohort import CohortInput
from domain.models import AdviserId, _Message
from domain.records import AuditEntry

#: Owners one decision may choose: a cohort is a few dozen; the shortlist's default is 40 (30 + 10).
MAX_DECISION_OWNERS = 200

#: The SHA-256 of the indicator file the shortlist was scored from (the web app keeps files by it).
FileHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class SelectionDecision(_Message):
    """Input of `SelectionDecisionWorkflow`: the cohort as it is to start, who decided, and on which file."""

    workflow_start_input: ClassVar[bool] = True

    cohort: CohortInput
    decided_by: AdviserId
    indicator_file: FileHash
    #: The owners' ranks on the shortlist, by owner id (what the coordinator saw when choosing).
    ranks: dict[str, int] = Field(default_factory=dict, max_length=MAX_DECISION_OWNERS)


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
