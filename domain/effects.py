"""What a change causes, as the rules hand it to a workflow: records to write and signals to send.

The `*_changes` modules (`period_changes`, `cohort_changes`) apply one event each (an accepted update, a signal,
a passed deadline) and return `Effects`; the workflow only queues them. `Occasion` is the event: every record
carries its moment and key, so a record written twice is the same row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.cohort import PendingSignal
from domain.models import PendingRecord
from domain.records import AuditEntry


@dataclass(frozen=True)
class Occasion:
    """The event a change comes from: the workflow's id, the event's moment, and (for an update) its key."""

    workflow_id: str
    now: datetime
    key: str = ""

    def audit(self, key: str, actor: str, action: str, **details: Any) -> AuditEntry:
        return AuditEntry(
            workflow_id=self.workflow_id, event_key=key, at=self.now, actor=actor, action=action, details=details
        )


@dataclass
class Effects:
    """What a change causes: records to queue, signals to send, the id of what it created or moved, or why it
    changed nothing."""

    records: list[PendingRecord] = field(default_factory=list)
    signals: list[PendingSignal] = field(default_factory=list)
    created: str | None = None
    left_out: str | None = None

    def add(self, activity: str, record: Any, summary: str) -> None:
        self.records.append(PendingRecord(activity=activity, summary=summary, payload=record.model_dump(mode="json")))
