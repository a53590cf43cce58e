"""The programme plans a period may start on, loaded by the worker from its settings."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.contract import Activities
from domain.programme import ProgrammePlan
from domain.settings import VeilederkorpsetSettings

# Settings are read when a period asks, not at import, so a tuned environment takes effect at the
# next worker start without code changes.
PLANS: dict[str, Callable[[], ProgrammePlan]] = {
    "veilederkorpset": lambda: VeilederkorpsetSettings().plan(),
}


@activity.defn(name=Activities.LOAD_PROGRAMME_PLAN)
async def load_programme_plan(name: str) -> ProgrammePlan:
    """The plan called `name`, as this worker's settings describe it.

    Raises:
        ApplicationError: Non-retryable, type ``UnknownPlan``, when no plan has that name; the message
            lists the plans there are.
    """
    build = PLANS.get(name)
    if build is None:
        allowed = ", ".join(sorted(PLANS))
        raise ApplicationError(
            f"plan: {name!r} is not a programme plan; allowed: {allowed}", type="UnknownPlan", non_retryable=True
        )
    return build()
