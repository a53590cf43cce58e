"""The Temporal contract: every name and error other clients rely on (docs/temporal-contract.md).

The task queue, workflow types and ids, activity, signal and query names, the custom search attributes with
their types, and the errors the data converter raises for a payload that does not validate. Workflows,
activities, the client API and the worker take them from here, so a name is written once.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey

TASK_QUEUE = "guidance-periods"
# The error type an activity raises for data it can never write; the workflow does not retry it.
INVALID_RECORD = "InvalidRecord"
PERIOD_WORKFLOW_TYPE = "GuidancePeriodWorkflow"
# The signal a period started by a cohort sends it when its phase, overdue flag or end changes.
PERIOD_PROGRESS_SIGNAL = "period_progress"
#: The signal a period sends its cohort when a coordinator has given it other advisers (`change_advisers`).
PERIOD_ADVISERS_SIGNAL = "period_advisers"
#: Signal to a period: report progress to this cohort from now on (a period the cohort found running).
REPORT_PROGRESS_TO_SIGNAL = "report_progress_to"
#: The query a period answers with its status (`GuidancePeriodWorkflow.status`); the client asks it by this name, so
#: `guidance status` need not load the workflow's code (issue 21).
PERIOD_STATUS_QUERY = "status"

# The custom search attributes (ids only, never names of people or owners).
GUIDANCE_PHASE = SearchAttributeKey.for_keyword("GuidancePhase")
SCHOOL_OWNER = SearchAttributeKey.for_keyword("SchoolOwner")
COHORT = SearchAttributeKey.for_keyword("Cohort")
COUNTY = SearchAttributeKey.for_keyword("County")
ADVISERS = SearchAttributeKey.for_keyword_list("Advisers")
DEVELOPMENT_AREA = SearchAttributeKey.for_keyword("DevelopmentArea")
PHASE_DUE_AT = SearchAttributeKey.for_datetime("PhaseDueAt")
OVERDUE = SearchAttributeKey.for_bool("Overdue")
PROGRAMME_PLAN = SearchAttributeKey.for_keyword("ProgrammePlan")
PLAN_VERSION = SearchAttributeKey.for_keyword("PlanVersion")
#: Set only on periods whose plan warns before a deadline (`ProgrammePlan.at_risk_share`): the state ``at_risk``.
AT_RISK = SearchAttributeKey.for_bool("AtRisk")
SEARCH_ATTRIBUTE_KEYS: tuple[SearchAttributeKey[Any], ...] = (
    GUIDANCE_PHASE,
    SCHOOL_OWNER,
    COHORT,
    COUNTY,
    ADVISERS,
    DEVELOPMENT_AREA,
    PHASE_DUE_AT,
    OVERDUE,
    PROGRAMME_PLAN,
    PLAN_VERSION,
    AT_RISK,
)
#: The type names of `--search-attribute NAME=TYPE` and their types in the API (the SDK's enum holds the API's
#: numbers).
SEARCH_ATTRIBUTE_TYPES: dict[str, SearchAttributeIndexedValueType] = {
    "Text": SearchAttributeIndexedValueType.TEXT,
    "Keyword": SearchAttributeIndexedValueType.KEYWORD,
    "Int": SearchAttributeIndexedValueType.INT,
    "Double": SearchAttributeIndexedValueType.DOUBLE,
    "Bool": SearchAttributeIndexedValueType.BOOL,
    "Datetime": SearchAttributeIndexedValueType.DATETIME,
    "KeywordList": SearchAttributeIndexedValueType.KEYWORD_LIST,
}
_TYPE_NAMES = {kind: name for name, kind in SEARCH_ATTRIBUTE_TYPES.items()}
#: The same attributes by name and type, as `temporal server start-dev --search-attribute NAME=TYPE` takes them.
SEARCH_ATTRIBUTES: dict[str, str] = {key.name: _TYPE_NAMES[key.indexed_value_type] for key in SEARCH_ATTRIBUTE_KEYS}


class InvalidPayload(ValueError):
    """A payload that does not validate against its model (the data converter's error)."""


class InvalidStartInput(InvalidPayload):
    """A workflow's start input (a model marked ``workflow_start_input``) that does not validate.

    The engine's workflows list it in their ``failure_exception_types``, so it fails the workflow with this
    message. As any other error it would fail the first workflow task instead, retried for ever: a start
    input never changes. Not so a state carried through continue-as-new (a model marked
    ``workflow_continued_state``): the engine wrote it, so one that does not decode is the code's fault (a
    worker older than the one that wrote it, a validator made stricter). Its workflow task fails and is
    retried until a worker that reads it takes it, and the period lives on.
    """


class UnreadState:
    """What the data converter hands a workflow for a continued state (a model marked ``workflow_continued_state``)
    that does not decode, instead of raising: only the workflow knows whether its run is a continuation.

    A continuation (``workflow.info().continued_run_id`` set) got the state from the engine itself: the workflow
    fails its task, retried until a worker that reads it takes it (as `InvalidStartInput` explains). A new run got
    it from a client: the workflow fails at once, naming the problem, as for any start input that does not decode.
    """

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def __repr__(self) -> str:
        return f"UnreadState({self.problem!r})"


def period_workflow_id(cohort: str, owner_id: str) -> str:
    """The id of one school owner's guidance period in a cohort."""
    return f"guidance-period-{cohort}-{owner_id}"


class Activities:
    """Activity names: the workflow calls them by name, the worker registers them under these names."""

    LOAD_PROGRAMME_PLAN = "load_programme_plan"  # (plan name: str) -> ProgrammePlan
    RECORD_PERIOD_STARTED = "record_period_started"  # (PeriodStartedRecord) -> None
    RECORD_MILESTONE = "record_milestone"  # (MilestoneRecord) -> None
    RECORD_PHASE_CHANGE = "record_phase_change"  # (PhaseChangeRecord) -> None
    RECORD_ADVISERS_CHANGE = "record_advisers_change"  # (AdvisersChangeRecord) -> None
    RECORD_COMPETENCE_ENVIRONMENT = "record_competence_environment"  # (CompetenceEnvironmentRecord) -> None
    RECORD_MEETING = "record_meeting"  # (MeetingRecord) -> str: path of the invitation in the outbox folder
    RECORD_MEETINGS = "record_meetings"  # (MeetingRecords) -> [str]: a plan's proposed meetings, in one go
    SEND_NOTICE = "send_notice"  # (NoticeRecord) -> None
    RECORD_GATHERING = "record_gathering"  # (GatheringRecord) -> None
    RECORD_FINAL_EVALUATION = "record_final_evaluation"  # (FinalEvaluationRecord) -> None
    RECORD_INVITATION = "record_invitation"  # (InvitationRecord) -> None; CohortWorkflow
    RECORD_NATIONAL_GATHERING = "record_national_gathering"  # (NationalGatheringRecord) -> [path]; CohortWorkflow
    START_PERIODS = "start_periods"  # (PeriodStarts) -> PeriodsStarted; CohortWorkflow
    RECORD_SELECTION_DECISION = "record_selection_decision"  # (SelectionDecisionRecord) -> None; decision workflow
    RECORD_OWNER_CONTACT = "record_owner_contact"  # (OwnerContactRecord) -> None; OwnerContactWorkflow
    RECORD_COUNTY_ASSESSMENT = "record_county_assessment"  # (AssessmentRecord) -> None; CountyAssessmentWorkflow


COHORT_WORKFLOW_TYPE = "CohortWorkflow"


def cohort_workflow_id(cohort: str) -> str:
    """The id of a cohort's workflow."""
    return f"cohort-{cohort}"


SELECTION_DECISION_WORKFLOW_TYPE = "SelectionDecisionWorkflow"


def decision_workflow_id(cohort: str) -> str:
    """The id of the workflow that records a coordinator's selection decision for `cohort` (one per cohort)."""
    return f"decision-{cohort}"


OWNER_CONTACT_WORKFLOW_TYPE = "OwnerContactWorkflow"
#: The error type of a change of an owner contact for a period the record store does not know.
UNKNOWN_PERIOD = "UnknownPeriod"


def contact_workflow_id(period_workflow_id: str) -> str:
    """The id of the workflow that records a change of a period's owner contact (one change at a time)."""
    return f"contact-{period_workflow_id}"


COUNTY_ASSESSMENT_WORKFLOW_TYPE = "CountyAssessmentWorkflow"


def assessment_workflow_id(cohort: str) -> str:
    """The id of the workflow that asks the county governors to assess `cohort`'s spread-track owners."""
    return f"assessment-{cohort}"
