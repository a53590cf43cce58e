"""The worker process: connects to Temporal and PostgreSQL, runs the workflows and activities until stopped.

Run it with `python worker.py` (or `make dev`, which starts it beside the embedded servers). Connection
to Temporal comes from Temporal's environment configuration (see starter/connect.py); `DATABASE_URL`
names the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import compileall
import contextlib
import functools
import signal
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.service import RPCError
from temporalio.worker import Worker, WorkerDeploymentConfig

from activities.db import apply_schema, create_pool
from activities.health import HealthServer, postgres_check, worker_check
from activities.metrics import PeriodGauges
from activities.period_starts import PeriodStarter
from activities.record_store import RecordStore
from activities.registry import all_activities, maintenance_activities
from config.competence import competence_register
from config.languages import LanguageFileError, check_languages
from config.mail import MailSettings
from config.people import People, PeopleFileError, load_people
from config.settings import AppSettings, InvalidPlanSettings, known_plans, resolve_plan
from domain.contract import TASK_QUEUE
from domain.mail import MAIL_SCHEDULE_ID
from domain.retention import RETENTION_SCHEDULE_ID
from starter.connect import connect, metrics_runtime
from starter.deployment import BuildIdUnknown, adopt_if_first, deployment_config
from starter.logs import LOGGING_MODULES, configure_logging
from starter.mail import ensure_mail_schedule
from starter.retention import ensure_retention_schedule
from workflows.assessment import CountyAssessmentWorkflow
from workflows.cohort import CohortWorkflow
from workflows.guidance_period import GuidancePeriodWorkflow
from workflows.mail_delivery import MailDeliveryWorkflow
from workflows.owner_contact import OwnerContactWorkflow
from workflows.pinned import as_versioned
from workflows.retention import RetentionWorkflow
from workflows.sandbox import workflow_modules, workflow_runner
from workflows.selection_decision import SelectionDecisionWorkflow

log = structlog.get_logger("worker")

WORKFLOWS: list[type] = [
    GuidancePeriodWorkflow,
    CohortWorkflow,
    RetentionWorkflow,
    SelectionDecisionWorkflow,
    CountyAssessmentWorkflow,
    MailDeliveryWorkflow,
    OwnerContactWorkflow,
]


# The packages the workflow sandbox imports afresh for every workflow run it creates.
SANDBOXED_PACKAGES = ("workflows", "domain")


@functools.cache
def precompile_sandboxed_modules() -> None:
    """Write the bytecode of the modules the sandbox re-imports, once per process.

    The sandbox executes a workflow's modules anew for each run; without a ``.pyc`` (as under
    ``PYTHONDONTWRITEBYTECODE``, which containers often set) each of those imports compiles the source
    again, and starting hundreds of periods spent most of the worker's time doing so. `compileall`
    writes the files whatever that variable says and skips those already current.
    """
    root = Path(__file__).resolve().parent
    for package in SANDBOXED_PACKAGES:
        try:
            compileall.compile_dir(root / package, quiet=2)
        except OSError as error:  # a read-only install (pip compiled it already): nothing to gain here
            log.info("bytecode not written", package=package, error=str(error))


def build_worker(
    client: Client,
    activities: Sequence[Callable[..., Any]],
    *,
    task_queue: str = TASK_QUEUE,
    workflows: Sequence[type] = WORKFLOWS,
    pass_through_workflows: bool = False,
    deployment: WorkerDeploymentConfig | None = None,
) -> Worker:
    """A worker for the engine's workflows (tests and benchmarks may add their own) and the given activities.

    Every worker also starts cohorts' periods (`PeriodStarter`), with its own client, on its own task queue.

    Args:
        pass_through_workflows: Load the workflows' modules once for every run instead of once per run (the
            production worker, `run_worker`, and the benchmarks that measure it; see
            `workflows.sandbox.workflow_modules`). Tests keep the strict sandbox.
        deployment: Poll as this Worker Deployment version (`starter.deployment.deployment_config`), the short
            workflows pinned (`workflows.pinned`); None polls unversioned.
    """
    precompile_sandboxed_modules()
    registered = as_versioned(list(workflows)) if deployment is not None else list(workflows)
    passed = workflow_modules(registered) if pass_through_workflows else ()
    return Worker(
        client,
        task_queue=task_queue,
        workflows=registered,
        activities=[*activities, PeriodStarter(client).start_periods],
        workflow_runner=workflow_runner(also_pass_through=(*LOGGING_MODULES, *passed)),
        # On SIGTERM, let records being written finish (within the 30 s an orchestrator usually allows).
        graceful_shutdown_timeout=timedelta(seconds=20),
        deployment_config=deployment,
    )


async def run_worker(
    client: Client,
    *,
    database_url: str,
    settings: AppSettings,
    stop: asyncio.Event,
    task_queue: str = TASK_QUEUE,
    schedules: bool = True,
    mail: MailSettings | None = None,
    people: People | None = None,
) -> None:
    """Check the plans, open the record store, apply its schema and run a worker until `stop` is set.

    With ``settings.worker_versioning`` it polls as the version ``{deployment_name}.{build_id}`` and makes that
    version current if the deployment has none yet (its first versioned worker). With ``settings.health_port`` it
    serves /healthz and /readyz, with ``settings.metrics_port`` it sets the application's gauges on the client
    runtime's metrics, and with `schedules` it ensures the nightly schedule of the retention job and, when a mail
    server is configured (``GUIDANCE_MAIL_HOST``), the schedule of mail delivery (a test server without schedules
    passes False). `mail` overrides the ``GUIDANCE_MAIL_*`` settings (`make dev`'s local mail server); `people` is
    the people file already read (else it is read here from ``settings.people_file``, raising PeopleFileError).
    """
    check_plans()
    people = people if people is not None else load_people(settings.people_file, settings.adviser_mail_domain)
    deployment = deployment_config(settings)
    pool = await create_pool(database_url, min_size=settings.db_pool_min_size, max_size=settings.db_pool_max_size)
    try:
        await apply_schema(pool)
        store = RecordStore(pool, settings, people)
        mail = mail or MailSettings()
        activities = [*all_activities(store), *maintenance_activities(pool, settings, mail)]
        worker = build_worker(
            client, activities, task_queue=task_queue, pass_through_workflows=True, deployment=deployment
        )
        async with contextlib.AsyncExitStack() as services:
            if settings.health_port is not None:
                health = HealthServer({"worker": worker_check(worker), "postgresql": postgres_check(pool)})
                await services.enter_async_context(health.serving(settings.health_host, settings.health_port))
            if settings.metrics_port is not None:
                meter = (client.service_client.config.runtime or Runtime.default()).metric_meter
                gauges = PeriodGauges(pool, meter)
                await services.enter_async_context(gauges.reporting(settings.metrics_refresh_seconds))
            async with worker:
                if deployment is not None:
                    await _adopt_if_first(client, deployment)
                if schedules:
                    await _ensure_schedule(RETENTION_SCHEDULE_ID, ensure_retention_schedule(client, task_queue))
                    if mail.enabled:
                        await _ensure_schedule(MAIL_SCHEDULE_ID, ensure_mail_schedule(client, task_queue, mail.batch))
                log.info("worker running", task_queue=task_queue, namespace=client.namespace)
                await stop.wait()
        log.info("worker stopped")
    finally:
        await pool.close()


async def _ensure_schedule(schedule_id: str, ensuring: Coroutine[Any, Any, str]) -> None:
    # A namespace where this identity may not manage schedules still runs periods: say so, go on.
    try:
        outcome = await ensuring
    except RPCError as error:
        log.error(
            "schedule not ensured; create it with the right permissions", schedule_id=schedule_id, error=str(error)
        )
    else:
        log.info("schedule ensured", schedule_id=schedule_id, outcome=outcome)


async def _adopt_if_first(client: Client, deployment: WorkerDeploymentConfig) -> None:
    version = deployment.version.to_canonical_string()
    if await adopt_if_first(client, deployment.version):
        log.info("worker version made current: the deployment had none", version=version)
    else:
        log.info("worker version polling; the operator makes it current (docs/operating.md)", version=version)


def check_plans() -> None:
    """Refuse to start on plan files or settings no period could use (a period would wait on them for ever), or on a
    register of competence environments the web app and the `guidance` command would refuse.

    Raises:
        InvalidPlanSettings: A plan file is not valid, or a plan's setting is out of bounds.
        RegisterFileError: The register of competence environments is not valid (config/competence.py).
    """
    for name in known_plans():
        resolve_plan(name)
    competence_register()


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGINT or SIGTERM so the worker finishes its tasks and exits cleanly."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def _main() -> None:
    settings = AppSettings()
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set: name the PostgreSQL server (or use `make dev`)")
    try:
        # The recipients' languages are read now: a bad row stops the worker, not the first letter.
        check_languages()
    except LanguageFileError as error:
        raise SystemExit(f"invalid settings: {error}") from None
    try:
        mail = MailSettings()
    except ValidationError as error:
        problems = "; ".join(
            f"GUIDANCE_MAIL_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise SystemExit(f"invalid settings: {problems}") from None
    try:
        people = load_people(settings.people_file, settings.adviser_mail_domain)
    except PeopleFileError as error:
        raise SystemExit(f"invalid settings: GUIDANCE_PEOPLE_FILE: {error}") from None
    stop = asyncio.Event()
    stop_on_signals(stop)
    runtime = metrics_runtime(settings.metrics_host, settings.metrics_port) if settings.metrics_port else None
    client = await connect(runtime=runtime)
    try:
        await run_worker(
            client, database_url=settings.database_url, settings=settings, stop=stop, mail=mail, people=people
        )
    except (InvalidPlanSettings, BuildIdUnknown) as error:
        raise SystemExit(f"invalid settings: {error}") from None


def main() -> None:
    configure_logging()
    asyncio.run(_main())


if __name__ == "__main__":
    main()
