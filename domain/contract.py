"""Names other Temporal clients rely on (DESIGN.md, "Temporal conventions")."""

from __future__ import annotations

TASK_QUEUE = "guidance-periods"
# The error type an activity raises for data it can never write; the workflow does not retry it.
INVALID_RECORD = "InvalidRecord"
PERIOD_WORKFLOW_TYPE = "GuidancePeriodWorkflow"
# The signal a period started by a cohort sends it when its phase, overdue flag or end changes.
PERIOD_PROGRESS_SIGNAL = "period_progress"
#: Signal to a period: report progress to this cohort from now on (a period the cohort found running).
REPORT_PROGRESS_TO_SIGNAL = "report_progress_to"

# Custom search attributes and their types, as `temporal server start-dev --search-attribute` takes them.
SEARCH_ATTRIBUTES: dict[str, str] = {
    "GuidancePhase": "Keyword",
    "SchoolOwner": "Keyword",
    "Cohort": "Keyword",
    "County": "Keyword",
    "Advisers": "KeywordList",
    "DevelopmentArea": "Keyword",
    "PhaseDueAt": "Datetime",
    "Overdue": "Bool",
    "ProgrammePlan": "Keyword",
    "PlanVersion": "Keyword",
}


def period_workflow_id(cohort: str, owner_id: str) -> str:
    """The id of one school owner's guidance period in a cohort."""
    return f"guidance-period-{cohort}-{owner_id}"


class Activities:
    """Activity names: the workflow calls them by name, the worker registers them under these names."""

    LOAD_PROGRAMME_PLAN = "load_programme_plan"  # (plan name: str) -> ProgrammePlan
    RECORD_PERIOD_STARTED = "record_period_started"  # (PeriodStartedRecord) -> None
    RECORD_MILESTONE = "record_milestone"  # (MilestoneRecord) -> None
    RECORD_PHASE_CHANGE = "record_phase_change"  # (PhaseChangeRecord) -> None
    RECORD_MEETING = "record_meeting"  # (MeetingRecord) -> str: path of the invitation in the outbox folder
    SEND_NOTICE = "send_notice"  # (NoticeRecord) -> None
    RECORD_GATHERING = "record_gathering"  # (GatheringRecord) -> None
    RECORD_FINAL_EVALUATION = "record_final_evaluation"  # (FinalEvaluationRecord) -> None
    RECORD_INVITATION = "record_invitation"  # (InvitationRecord) -> None; CohortWorkflow
    RECORD_NATIONAL_GATHERING = "record_national_gathering"  # (NationalGatheringRecord) -> [path]; CohortWorkflow
    START_PERIODS = "start_periods"  # (PeriodStarts) -> PeriodsStarted; CohortWorkflow (behaviour 2)


COHORT_WORKFLOW_TYPE = "CohortWorkflow"


def cohort_workflow_id(cohort: str) -> str:
    """The id of a cohort's workflow."""
    return f"cohort-{cohort}"
