"""`make dev`: the whole system on one machine, with nothing to install beyond the virtual environment.

Starts, in order, PostgreSQL (`DATABASE_URL`, or the embedded server in ``<data>/postgres``), the
Temporal dev server with its Web UI (state in ``<data>/temporal.sqlite``, log in
``<data>/temporal.log``), the worker in this process, and the coordinators' and advisers' web app
(webapp/) in this process too; optionally the demo periods. Stops in the reverse order when asked:
web app, worker, dev server, PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

import structlog
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from config.mail import MailSettings
from config.people import PeopleFileError, load_people
from config.settings import AppSettings
from devstack.demo import DEMO_COHORT, run_demo
from devstack.identity_provider import local_identity_provider
from devstack.mail_server import MAILBOX, local_mail_server
from devstack.people_sample import sample_people_file
from devstack.postgres import start_embedded_postgres
from devstack.temporal_server import HOST, DevServer, port_is_free
from domain.contract import TASK_QUEUE
from starter.deployment import deployment_config, set_current
from webapp.server import bind_socket, web_app_running, web_url
from webapp.settings import WebSettings
from webapp.users import DEV_USERS, UsersFileError
from worker import run_worker

log = structlog.get_logger("devstack")

DEFAULT_PORT = 7233
DEFAULT_WEB_PORT = 8000
DEFAULT_MAIL_PORT = 2525
WORKER_READY_TIMEOUT_SECONDS = 60.0


class StackError(Exception):
    """Something a person can fix (a port in use, a data folder in use); printed without a traceback."""


@dataclass(frozen=True)
class StackOptions:
    """What `python -m devstack` was asked for.

    Attributes:
        data_dir: The folder for all local state.
        port: The Temporal frontend's gRPC port.
        ui_port: The Web UI's port.
        demo: Start the demo periods once everything runs.
        web_port: The web app's port (0: any free port, shown in the banner).
        mail_port: The local mail server's port (0: any free port), unless GUIDANCE_MAIL_HOST names a real one.
    """

    data_dir: Path
    port: int = DEFAULT_PORT
    ui_port: int = DEFAULT_PORT + 1000
    demo: bool = False
    web_port: int = DEFAULT_WEB_PORT
    mail_port: int = DEFAULT_MAIL_PORT


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _display(path: Path) -> str:
    """`path` relative to the working directory when it lies inside it (shorter to read and to copy)."""
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


@contextlib.contextmanager
def _data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold ``<data>/devstack.lock``: two stacks on one SQLite file and one PGDATA would corrupt both."""
    lock_path = data_dir / "devstack.lock"
    with lock_path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise StackError(
                f"the data folder {_display(data_dir)} is in use by {holder} (another `make dev`?); "
                "stop it, or give this one its own folder with --data-dir"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()}")
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _check_ports(options: StackOptions) -> None:
    ports = (
        ("Temporal", options.port),
        ("Web UI", options.ui_port),
        ("web app", options.web_port),
        ("mail server", options.mail_port),
    )
    for name, port in ports:
        if port and not port_is_free(port):
            raise StackError(
                f"port {port} ({name}) is already in use on {HOST}: is another `make dev` running? "
                f"Stop it, or start this one on other ports: "
                f"python -m devstack --port {options.port + 100} --ui-port {options.ui_port + 100}"
            )


@contextlib.asynccontextmanager
async def _postgres(settings: AppSettings, data_dir: Path) -> AsyncIterator[tuple[str, str]]:
    """Yield (url, how it was chosen): `DATABASE_URL` if set, else the embedded server, stopped on exit."""
    if settings.database_url:
        yield settings.database_url, "from DATABASE_URL; not started or stopped here"
        return
    server = await asyncio.to_thread(start_embedded_postgres, data_dir / "postgres")
    try:
        yield server.url, f"embedded, data in {_display(server.data_dir)}"
    finally:
        await asyncio.to_thread(server.stop)
        log.info("postgresql stopped")


async def _wait_for_worker(client: Client, worker: asyncio.Task[None]) -> None:
    """Return once our worker polls the task queue, so the first command a person types is served at once."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=TASK_QUEUE),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    deadline = asyncio.get_running_loop().time() + WORKER_READY_TIMEOUT_SECONDS
    while True:
        if worker.done():
            _raise_worker_failure(worker, "while starting")
        described = await client.workflow_service.describe_task_queue(request)
        if any(poller.identity == client.identity for poller in described.pollers):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise StackError(f"the worker did not poll {TASK_QUEUE} within {WORKER_READY_TIMEOUT_SECONDS:.0f} s")
        await asyncio.wait({worker}, timeout=0.2)


def _raise_worker_failure(worker: asyncio.Task[None], when: str) -> None:
    """Turn the end of the worker task into a StackError; the log keeps the traceback for debugging."""
    error = worker.exception()
    if error is None:
        raise StackError(f"the worker stopped {when}")
    log.error("worker failed", exc_info=error)
    raise StackError(f"the worker stopped {when}: {error}") from error


def _command(name: str) -> str:
    """How to call an entry point of this virtual environment from the working directory."""
    return _display(Path(sys.executable).parent / name)


def _stack_settings(data_dir: Path) -> AppSettings:
    """The worker's settings: Worker Versioning on unless GUIDANCE_WORKER_VERSIONING says otherwise, so `make dev`
    runs as a deployment does (docs/operating.md, "Deploying a new worker"); the sample people file
    (devstack/people_sample.py) unless GUIDANCE_PEOPLE_FILE names one."""
    settings = AppSettings(data_dir=data_dir)
    if "worker_versioning" not in settings.model_fields_set:
        settings = settings.model_copy(update={"worker_versioning": True})
    if "people_file" not in settings.model_fields_set:
        settings = settings.model_copy(update={"people_file": sample_people_file(data_dir)})
    return settings


async def _make_current(client: Client, settings: AppSettings) -> None:
    """Make this stack's worker version current: it is the only worker, so the periods (and whatever a previous
    `make dev` of another commit started) must run on it."""
    deployment = deployment_config(settings)
    if deployment is not None:
        await set_current(client, deployment.version)
        log.info("worker version current", version=deployment.version.to_canonical_string())


def _web_settings(server: DevServer, mailbox: Path | None = None) -> WebSettings:
    """The web app's settings, linking to this stack's Web UI unless GUIDANCE_WEB_TEMPORAL_UI_URL says otherwise,
    and showing coordinators the local mail server's `mailbox` (GUIDANCE_WEB_DEV_MAILBOX) when it runs."""
    settings = WebSettings()
    if "temporal_ui_url" not in settings.model_fields_set and server.ui_url:
        settings = settings.model_copy(update={"temporal_ui_url": server.ui_url})
    if mailbox is not None and "dev_mailbox" not in settings.model_fields_set:
        settings = settings.model_copy(update={"dev_mailbox": mailbox})
    return settings


def _bind_web(options: StackOptions, host: str) -> socket.socket:
    try:
        return bind_socket(host, options.web_port)
    except OSError as error:
        raise StackError(
            f"the web app cannot listen on {host}:{options.web_port} ({error.strerror}): is another `make dev` "
            f"running? Give this one another port: python -m devstack --web-port {options.web_port + 100}"
        ) from None


def _dev_users(settings: WebSettings) -> str:
    provider = f"sign in through {settings.oidc_provider_name} ({settings.oidc_issuer})"
    if not settings.passwords_allowed:
        return f"{provider}, e.g. as a.hansen or coordinator"
    if settings.users_file is not None:
        return f"{provider}, or with a password of {_display(settings.users_file)}"
    return f"{provider}, or as " + ", ".join(f"{name} / {password}" for name, _, password in DEV_USERS[::3])


def _banner(
    options: StackOptions,
    server: DevServer,
    database: str,
    database_source: str,
    web: tuple[str, WebSettings] | None = None,
    mail: MailSettings | None = None,
    people_file: Path | None = None,
) -> str:
    prefix = "" if options.port == DEFAULT_PORT else f"TEMPORAL_ADDRESS={server.address} "
    guidance = f"{prefix}{_command('guidance')}"
    temporal = _command("temporal")
    data = _display(options.data_dir)
    lines = [
        "",
        "Guidance engine dev stack is running. Ctrl-C stops it.",
        "",
        f"  Web UI:      {server.ui_url}",
        *([f"  Web app:     {web[0]}  ({_dev_users(web[1])})"] if web else []),
        f"  Temporal:    {server.address}  (namespace default, task queue {TASK_QUEUE})",
        f"  PostgreSQL:  {_hide_password(database)}  ({database_source})",
        f"  Data folder: {data}  (Temporal state in temporal.sqlite, its log in temporal.log; outbox/)",
        *([f"  Mail:        {_mail_line(mail, data)}"] if mail else []),
        *(
            [f"  People:      {_display(people_file)}  (who receives what; edit it, then restart)"]
            if people_file
            else []
        ),
        "",
        "Try:",
        f"  {guidance} start --cohort 2027 --owner 3301 --adviser a.hansen --start-date 2027-01-04",
        f"  {guidance} status --cohort 2027 --owner 3301",
        f"  {temporal} workflow list --address {server.address} --query \"Cohort='2027'\"",
    ]
    if options.demo:
        lines.append(f"  {temporal} workflow list --address {server.address} --query \"Cohort='{DEMO_COHORT}'\"")
    return "\n".join([*lines, ""])


def _mail_line(mail: MailSettings, data: str) -> str:
    if mail.security == "none" and mail.host == HOST:
        return (
            f"local mail server {mail.host}:{mail.port}; every message it receives is in {data}/{MAILBOX}/new "
            "(coordinators read it in the web app at /dev/mailbox)"
        )
    return f"sent through {mail.host}:{mail.port} (GUIDANCE_MAIL_HOST)"


async def run_stack(options: StackOptions, stop: asyncio.Event, out: TextIO = sys.stdout) -> None:
    """Run everything until `stop` is set, then stop it all in order.

    Raises:
        StackError: A port or the data folder is in use, or the worker failed to start.
    """
    data_dir = options.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = _stack_settings(data_dir)
    try:
        people = load_people(settings.people_file, settings.adviser_mail_domain)
    except PeopleFileError as error:
        raise StackError(f"GUIDANCE_PEOPLE_FILE: {error}") from None
    with _data_dir_lock(data_dir):
        _check_ports(options)
        async with contextlib.AsyncExitStack() as stack:
            database, source = await stack.enter_async_context(_postgres(settings, data_dir))
            if stop.is_set():
                return
            server = await DevServer.start(
                data_dir / "temporal.sqlite", options.port, options.ui_port, log_file=data_dir / "temporal.log"
            )
            stack.push_async_callback(_stop_server, server)
            client = await server.connect()
            mail = MailSettings()
            mailbox: Path | None = None
            if not mail.enabled:
                mail = stack.enter_context(local_mail_server(data_dir, options.mail_port))
                mailbox = data_dir / MAILBOX
            worker_stop = asyncio.Event()
            worker = asyncio.create_task(
                run_worker(
                    client, database_url=database, settings=settings, stop=worker_stop, mail=mail, people=people
                ),
                name="worker",
            )
            stack.push_async_callback(_stop_worker, worker, worker_stop)
            await _wait_for_worker(client, worker)
            await _make_current(client, settings)
            if stop.is_set():
                return
            web_settings = _web_settings(server, mailbox)
            if web_settings.oidc_issuer is None:
                web_settings = stack.enter_context(local_identity_provider(web_settings))
            web_socket = _bind_web(options, web_settings.host)
            stack.callback(web_socket.close)

            async def same_client() -> Client:
                return client

            try:
                await stack.enter_async_context(
                    web_app_running(
                        web_socket,
                        database_url=database,
                        temporal=same_client,
                        data_dir=data_dir,
                        settings=web_settings,
                        people=people,
                    )
                )
            except UsersFileError as error:
                raise StackError(str(error)) from None
            if options.demo:
                await run_demo(client, out=out)
            web = (web_url(web_socket), web_settings)
            print(_banner(options, server, database, source, web, mail, settings.people_file), file=out, flush=True)
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({stopped, worker}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if worker.done():
                _raise_worker_failure(worker, "unexpectedly")
            print(
                "Stopping: the web app, the worker, then the Temporal dev server, then PostgreSQL ...",
                file=out,
                flush=True,
            )


async def _stop_worker(worker: asyncio.Task[None], worker_stop: asyncio.Event) -> None:
    if worker.done():
        return
    worker_stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await worker


async def _stop_server(server: DevServer) -> None:
    await asyncio.to_thread(server.stop)
    log.info("temporal dev server stopped")
