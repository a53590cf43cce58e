"""The programme plans a period may start on, loaded by the worker from its settings."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from config.settings import InvalidPlanSettings, UnknownPlan, resolve_plan
from domain.contract import Activities
from domain.programme import ProgrammePlan


@activity.defn(name=Activities.LOAD_PROGRAMME_PLAN)
async def load_programme_plan(name: str) -> ProgrammePlan:
    """The plan called `name`, as this worker's settings describe it.

    Raises:
        ApplicationError: Non-retryable, type ``UnknownPlan``, when no plan has that name; the message
            lists the plans there are.
    """
    try:
        return resolve_plan(name)
    except (UnknownPlan, InvalidPlanSettings) as error:
        raise ApplicationError(str(error), type=type(error).__name__, non_retryable=True) from None
