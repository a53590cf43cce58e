"""Serving the web app with uvicorn: beside the worker in `make dev` (devstack) or on its own
(`python -m webapp`, reading `DATABASE_URL` and Temporal's environment configuration)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import uvicorn
from temporalio.client import Client

from activities.db import apply_schema, create_pool
from config.people import People, load_people
from config.settings import AppSettings
from readmodel.records import RecordReader
from starter.connect import connect
from webapp import page_work
from webapp.app import ClientProvider, WebApp, create_app
from webapp.indicator_files import EARLIER_FOLDER, IndicatorFiles
from webapp.sessions import EARLIER_FILE, SessionGenerations
from webapp.settings import WebSettings, shared_secret
from webapp.users import UserDirectory


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the host process (devstack, `python -m webapp`) owns SIGINT
    and SIGTERM and stops everything in its own order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port); bound before serving, so a port in use
    is reported at once and the real port of 0 is known for the banner.

    Raises:
        OSError: The address is in use or cannot be bound.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def web_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    return f"http://{shown}:{port}"


def users_for(settings: WebSettings) -> UserDirectory:
    """The users file's users, or the development users when none is configured."""
    if settings.users_file is not None:
        return UserDirectory.from_file(settings.users_file)
    return UserDirectory.development()


def lazy_client() -> ClientProvider:
    """Connect to Temporal at the first action (and again after a failed attempt), not at start-up."""
    client: Client | None = None
    lock = asyncio.Lock()

    async def provide() -> Client:
        nonlocal client
        async with lock:
            if client is None:
                client = await connect()
            return client

    return provide


@contextlib.asynccontextmanager
async def web_app_running(
    sock: socket.socket,
    *,
    database_url: str,
    temporal: ClientProvider,
    data_dir: Path,
    settings: WebSettings | None = None,
    people: People | None = None,
) -> AsyncIterator[None]:
    """Serve the app on `sock` while the block runs; stop uvicorn and close the pool after it.

    Args:
        people: The people file already read (devstack's); None: read here from ``GUIDANCE_PEOPLE_FILE``.

    Raises:
        webapp.users.UsersFileError: The users file is missing or malformed.
        config.people.PeopleFileError: The people file is missing or malformed.
    """
    settings = settings or WebSettings()
    users = await asyncio.to_thread(users_for, settings)
    if people is None:
        app_settings = AppSettings()
        people = await asyncio.to_thread(load_people, app_settings.people_file, app_settings.adviser_mail_domain)
    page_work.share_the_gil()
    pool = await create_pool(database_url, min_size=1, max_size=4, no_session_state=True)
    try:
        # The web app's own tables (`web_`) may be new to the database; the worker may not have started yet.
        await apply_schema(pool)
        # The files an earlier version kept on this instance's disk, into the record store every instance reads.
        await IndicatorFiles(pool).import_folder(data_dir / EARLIER_FOLDER)
        await SessionGenerations(pool).import_file(data_dir / EARLIER_FILE)
        web = WebApp(
            reader=RecordReader(pool),
            temporal=temporal,
            users=users,
            settings=settings,
            secret=await shared_secret(settings, pool, data_dir),
            people=people,
        )
        # The devstack logs through structlog; uvicorn's own access log would only repeat every request.
        config = uvicorn.Config(create_app(web, compiled=True), log_level="warning", access_log=False, lifespan="off")
        server = _EmbeddedServer(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]), name="web app")
        try:
            yield
        finally:
            server.should_exit = True
            await serving
    finally:
        await pool.close()
