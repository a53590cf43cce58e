"""What every `guidance` command shares: the exit codes, a person's mistake and how it is reported, reaching
Temporal within a timeout, and reading dates, times and models from options.

The command modules (`starter.period_cli`, `starter.cohort_cli`, `starter.plan_cli`, `starter.report_cli`, ...)
import this module; `starter.cli` lists their commands and runs them. Tests replace `client_factory` to reach their
own server.

`starter.cli` imports this module for `guidance --help`, so it imports Temporal's SDK, pydantic, rich and the
read model only inside the functions that use them (issue 21: start-up; `tests/starter/test_cli_imports.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from language.current import N_
from language.current import gettext as _

if TYPE_CHECKING:  # imported where used: `guidance --help` and the commands without Temporal never load them
    from pydantic import BaseModel
    from rich.console import Console
    from temporalio.client import Client

    from starter.client import UpdateRejected

T = TypeVar("T")
Model = TypeVar("Model", bound="BaseModel")

ClientFactory = Callable[[], Awaitable["Client"]]


async def _connect() -> Client:
    from starter.connect import connect

    return await connect()


#: How the command gets its Temporal client. Tests replace it to reach their own server.
client_factory: ClientFactory = _connect

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3
EXIT_CODES = {
    EXIT_REJECTED: N_("the period refused the request, or the input is invalid"),
    EXIT_USAGE: N_("usage: a missing or malformed option, an unknown school owner or plan"),
    EXIT_UNAVAILABLE: N_("Temporal cannot be reached or did not answer in time"),
}

CONNECT_TIMEOUT = timedelta(seconds=15)
# The periods' plans read dates in Norwegian time; the status shows them so.
DISPLAY_TIMEZONE = "Europe/Oslo"

log = logging.getLogger("guidance")


def exit_codes_help() -> str:
    """The exit codes and their meanings, for the end of `guidance --help`, in the current language."""
    codes = "; ".join(f"{code} {_(meaning)}" for code, meaning in EXIT_CODES.items())
    return _("Exit codes: %(codes)s.") % {"codes": codes}


@dataclass(frozen=True)
class Settings:
    answer_timeout: timedelta = timedelta(seconds=30)


class Mistake(Exception):
    """A person's mistake or an unreachable server: what to print and the exit code."""

    def __init__(self, message: str, exit_code: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint


# --- options shared by the commands -----------------------------------------------------------------

CohortOption = Annotated[
    str | None, typer.Option("--cohort", help=N_("The cohort (pulje), e.g. 2027."), show_default=False)
]
OwnerOption = Annotated[
    str | None,
    typer.Option(
        "--owner",
        help=N_("The school owner's official number: 4 digits for a municipality (3301), 2 for a county authority."),
        show_default=False,
    ),
]
WorkflowIdOption = Annotated[
    str | None,
    typer.Option(
        "--workflow-id", help=N_("The period's workflow id, instead of --cohort and --owner."), show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help=N_("Print the status as JSON instead of a table."))]
AdviserOption = Annotated[str, typer.Option("--adviser", help=N_("Your adviser user name, e.g. a.hansen."))]
TaskQueueOption = Annotated[
    str,
    typer.Option("--task-queue", help=N_("Where the workers listen; change it only for a test or staging worker.")),
]
SelectionConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        exists=True,
        dir_okay=False,
        readable=True,
        help=N_("Limits, directions, weights and counts (TOML); default: the shipped selection/selection.toml."),
        show_default=False,
    ),
]


def record_store_url(url: str | None) -> str:
    """`url` (the settings' DATABASE_URL) for the commands that read the record store; a Mistake if it is unset."""
    if not url:
        raise Mistake(
            _("set DATABASE_URL to the record store"), EXIT_USAGE, _("with `make dev` running, its banner shows it")
        )
    return url


# --- running a request ------------------------------------------------------------------------------


def run(ctx: typer.Context, workflow_id: str, action: Callable[[Client], Awaitable[T]]) -> T:
    """Connect, run `action` within the answer timeout, and turn an unreachable Temporal into a `Mistake`."""
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    waited = f"{settings.answer_timeout.total_seconds():g} s"

    import asyncio

    import structlog
    from temporalio.client import RPCTimeoutOrCancelledError

    from domain.contract import TASK_QUEUE

    async def connected() -> T:
        with structlog.contextvars.bound_contextvars(workflow_id=workflow_id):
            client = await connect_client()
            log.info("sending %s to %s", ctx.info_name, workflow_id)
            try:
                async with asyncio.timeout(settings.answer_timeout.total_seconds()):
                    return await action(client)
            except (TimeoutError, RPCTimeoutOrCancelledError):
                raise Mistake(
                    _("no answer from %(workflow_id)s within %(waited)s")
                    % {"workflow_id": workflow_id, "waited": waited},
                    EXIT_UNAVAILABLE,
                    _(
                        "is a guidance worker running on task queue %(task_queue)s? An update sent now is still "
                        "applied once one runs; check with `guidance status`"
                    )
                    % {"task_queue": TASK_QUEUE},
                ) from None

    return asyncio.run(connected())


async def connect_client() -> Client:
    import asyncio

    from starter.codec_keys import CodecKeyError

    try:
        return await asyncio.wait_for(client_factory(), CONNECT_TIMEOUT.total_seconds())
    except CodecKeyError as err:  # a setting of this shell, not an unreachable server
        raise Mistake(str(err), EXIT_USAGE) from None
    except (RuntimeError, OSError, TimeoutError, ValueError) as err:
        raise Mistake(
            _("cannot connect to Temporal at %(address)s: %(reason)s") % {"address": address(), "reason": reason(err)},
            EXIT_UNAVAILABLE,
            _(
                "start it (`make dev` runs one locally) or set TEMPORAL_ADDRESS (host:port) to a running server, "
                "with TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or TEMPORAL_TLS_* as it needs"
            ),
        ) from None


def address() -> str:
    """Where the environment configuration points, for the message that it cannot be reached."""
    from starter.connect import connect_config

    try:
        config = connect_config()
    except Exception:  # the configuration itself is what failed: say so, without a traceback
        return _("the address of the environment configuration (TEMPORAL_ADDRESS)")
    return _("%(host)s (namespace %(namespace)s)") % {
        "host": config["target_host"],
        "namespace": config.get("namespace", "default"),
    }


def reason(err: BaseException) -> str:
    text = str(err)
    if isinstance(err, TimeoutError):
        return _("no answer within %(seconds)s") % {"seconds": f"{CONNECT_TIMEOUT.total_seconds():g} s"}
    if "Connection refused" in text:
        return _("connection refused")
    if "dns error" in text.lower() or "failed to lookup address" in text.lower():
        return _("the host name does not resolve")
    return text.removeprefix("Failed client connect: ")[:300] or type(err).__name__


@contextmanager
def reported() -> Iterator[None]:
    """Turn a person's mistake (or an unreachable server) into a short message on stderr and an exit code."""
    try:
        yield
    except Mistake as mistake:
        fail(mistake.message, mistake.exit_code, mistake.hint)
    except typer.Exit:
        raise
    except Exception as err:
        explain(err)
        raise


def explain(err: Exception) -> None:
    """`fail` with what a person can do about `err`; return when it is none of theirs (it goes on as a traceback).

    The errors' modules (the client API, Temporal's SDK, the owner list, the codec) are imported here, once a
    command has failed, so that a command that never reaches them does not load them to report what it cannot
    raise (issue 21: start-up).
    """
    from temporalio.exceptions import TemporalError
    from temporalio.service import RPCError, RPCStatusCode

    from config.owners import UnknownOwner
    from starter import client as api
    from starter import explained
    from starter.codec import PayloadDecryptionError
    from starter.search_attributes import SearchAttributeClash

    if isinstance(err, api.UpdateRejected):
        fail(rejected(err), EXIT_REJECTED)
    if isinstance(err, UnknownOwner):
        fail(explained.unknown_owner(err), EXIT_USAGE)
    if isinstance(err, api.UnknownPlan):
        fail(explained.unknown_plan(err.name), EXIT_USAGE)
    if isinstance(err, api.InvalidPlanSettings):
        fail(str(err), EXIT_USAGE)
    if isinstance(err, SearchAttributeClash):
        fail(str(err), EXIT_REJECTED)
    if isinstance(err, api.PeriodAlreadyExists):
        fail(
            explained.period_already_exists(err),
            EXIT_REJECTED,
            _("see it with `%(command)s`") % {"command": f"guidance status --workflow-id {err.workflow_id}"},
        )
    if isinstance(err, api.PeriodNotFound):
        fail(explained.period_not_found(err), EXIT_REJECTED, _("check --cohort and --owner (or --workflow-id)"))
    if isinstance(err, RPCError):
        where = {"address": address(), "message": err.message}
        if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            fail(_("Temporal at %(address)s is not answering: %(message)s") % where, EXIT_UNAVAILABLE)
        fail(_("Temporal at %(address)s refused the request: %(message)s") % where, EXIT_UNAVAILABLE)
    if isinstance(err, TemporalError):
        fail(_("the period could not answer: %(error)s") % {"error": err}, EXIT_REJECTED)
    if isinstance(err, PayloadDecryptionError):
        # A setting of this shell, not of the request: a request sent before this was still applied.
        fail(_("cannot read the answer: %(error)s") % {"error": err}, EXIT_USAGE)


def rejected(err: UpdateRejected) -> str:
    """A refused update as the command says it: the field the workflow named, and why, in the command's language."""
    from readmodel.rejections import render_rejection

    reason = render_rejection(err.code, err.params, err.reason)
    if err.field:
        reason = f"{err.field}: {reason}"
    return _("rejected: %(reason)s") % {"reason": reason}


def fail(message: str, exit_code: int, hint: str = "") -> NoReturn:
    from rich.console import Console
    from rich.text import Text

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(Text.assemble((_("error: "), "bold red"), message))
    if hint:
        err.print(Text.assemble((_("hint: "), "bold"), hint))
    raise typer.Exit(exit_code)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_date(value: str, option: str) -> date:
    try:
        if _DATE.match(value.strip()):
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise Mistake(
        _("%(option)s: %(value)r is not a date; write YYYY-MM-DD, e.g. 2027-03-02")
        % {"option": option, "value": value},
        EXIT_USAGE,
    )


def parse_time(value: str, option: str) -> time:
    match = _TIME.match(value.strip())
    try:
        if match:
            return time(int(match[1]), int(match[2]))
    except ValueError:
        pass
    raise Mistake(
        _("%(option)s: %(value)r is not a time of day; write HH:MM (24-hour clock), e.g. 09:00")
        % {"option": option, "value": value},
        EXIT_USAGE,
    )


def build(model: type[Model], options: Mapping[str, str], **fields: Any) -> Model:
    """The message model from the options; a validation error names the field and its option."""
    from pydantic import ValidationError

    from starter.converter import explain_problems

    try:
        return model.model_validate(fields)
    except ValidationError as error:
        problems = "; ".join(explain_problems(error, options))
        raise Mistake(_("invalid input: %(problems)s") % {"problems": problems}, EXIT_REJECTED) from None


def period_id(cohort: str | None, owner: str | None, workflow_id: str | None) -> str:
    """The workflow id of the period the options name; the owner is checked against the owner list."""
    if workflow_id:
        if cohort or owner:
            raise Mistake(_("name the period either by --workflow-id or by --cohort and --owner, not both"), EXIT_USAGE)
        return workflow_id
    if not cohort or not owner:
        missing = _(" and ").join(flag for flag, value in (("--cohort", cohort), ("--owner", owner)) if not value)
        raise Mistake(
            _("name the period: %(missing)s missing (or give --workflow-id)") % {"missing": missing}, EXIT_USAGE
        )
    from starter.client import find_period

    return find_period(cohort, owner)


def console() -> Console:
    """Standard output; lines are not wrapped (a table still fits the terminal)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)
