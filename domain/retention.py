"""Retention of personal data in the record store: the names and messages of the job that removes it.

A guidance period's records name people: the advisers (ids, and mail addresses in the letters), who
recorded a milestone or withdrew a period, notes and meeting titles in free text, the county governor's
contacts in the invitation letters. They serve the period and the Directorate's follow-up of it; a
configurable time after the period ends (``GUIDANCE_RETENTION_DAYS``, see config/settings.py) the
retention job removes them, and keeps what is not personal: the owner (a municipality or county
authority), phases, dates, milestones, counts and the development area.

`RetentionWorkflow` (workflows/retention.py) runs the job; a Temporal Schedule (starter/retention.py)
starts it every night.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

RETENTION_WORKFLOW_TYPE = "RetentionWorkflow"
RETENTION_SCHEDULE_ID = "guidance-retention"
REMOVE_EXPIRED_PERSONAL_DATA = "remove_expired_personal_data"
# What stands where a person was named (NOT NULL columns); arrays of people become empty.
REMOVED = "removed"
# The audit entry each period gets when its personal data is removed (once: its natural key).
REMOVAL_EVENT_KEY = "retention:personal_data_removed"


class RetentionRequest(BaseModel):
    """Input of `RetentionWorkflow`; empty, the worker's ``GUIDANCE_RETENTION_DAYS`` applies."""

    retention_days: int | None = Field(default=None, ge=1, le=36500)


class RetentionRun(BaseModel):
    """Input of the activity: remove personal data of periods that ended `retention_days` before `as_of`."""

    as_of: datetime
    retention_days: int | None = Field(default=None, ge=1, le=36500)


class RetentionReport(BaseModel):
    """What one run removed. A run that finds nothing more to remove reports zeros everywhere."""

    as_of: datetime
    retention_days: int
    cutoff: datetime
    periods: list[str] = Field(default_factory=list, description="periods whose personal data this run removed")
    invitations: int = 0
    rows: dict[str, int] = Field(default_factory=dict, description="rows changed or deleted, by table")
    files: int = 0
    gathering_files: int = Field(default=0, description="owners' calendar files of national gatherings removed")
