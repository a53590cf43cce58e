"""What a workflow accepts as its start argument: a new run its input, a continuation only the state it wrote.

A raw Temporal client can start `GuidancePeriodWorkflow` or `CohortWorkflow` with anything the data converter
decodes, a state (`PeriodState`, `CohortState`) too: a state names a phase, queued records and flags the engine
sets itself, and one given at a start had left a period failing its first workflow task for ever (a phase its
plan lacks) or ending at once with a final evaluation for a period the record store never heard of. Only
Temporal knows whether a run is a continuation (``continued_run_id``); a client cannot forge it. So a state is
taken from a continuation only, and a new run is refused with a non-retryable error that names the field,
before the workflow issues any command. Refusing one adds no command to any history that exists: none began
with a state.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.contract import UnreadState

#: The error type of a refused start (as the converter's `InvalidStartInput` is named in a failure).
REFUSED_START = "InvalidStartInput"


def admit(given: object, state_type: type, input_type: type) -> None:
    """Refuse a start argument the run may not take; return if it may.

    Raises:
        ApplicationError: A new run given a state, or a state that does not decode: the workflow fails.
        RuntimeError: A continuation whose state does not decode: its workflow task fails and is retried until
            a worker that reads the state takes it (the engine wrote it; a newer worker, a stricter validator).
    """
    continued = workflow.info().continued_run_id is not None
    if isinstance(given, UnreadState):
        if continued:
            raise RuntimeError(f"the state carried from the previous run does not decode here: {given.problem}")
        raise ApplicationError(given.problem, type=REFUSED_START, non_retryable=True)
    if isinstance(given, state_type) and not continued:
        raise ApplicationError(
            f"{state_type.__name__}: a {state_type.__name__} is carried only by the workflow itself through "
            f"continue-as-new; start a new run with a {input_type.__name__}",
            type=REFUSED_START,
            non_retryable=True,
        )
