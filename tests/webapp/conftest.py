"""Fixtures of the web app's tests: a fresh record store per test (the read model's fixtures), and the app on it
(no Temporal)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from temporalio.client import Client

from activities.db import create_pool
from readmodel.records import RecordReader
from tests.readmodel.conftest import pool, reader  # noqa: F401
from tests.readmodel.rows import NOW
from webapp.app import WebApp, create_app
from webapp.settings import WebSettings
from webapp.users import UserDirectory

SECRET = "test-secret-" + "x" * 40
_USERS = UserDirectory.development()


async def _no_temporal() -> Client:
    raise RuntimeError("these tests run without Temporal")


@contextlib.asynccontextmanager
async def app_client(reader: RecordReader) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811 (the imported fixture's name)
    """An HTTP client of the app on `reader`, with the clock at `rows.NOW`, no Temporal."""
    web = WebApp(
        reader=reader,
        temporal=_no_temporal,
        users=_USERS,
        settings=WebSettings(_env_file=None, secret=SECRET),
        secret=SECRET,
        clock=lambda: NOW,
    )
    transport = httpx.ASGITransport(app=create_app(web))
    # English unless a test asks for another language: the older tests assert the source text.
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"Accept-Language": "en"}
    ) as client:
        yield client


@pytest.fixture
async def http(reader: RecordReader) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811 (the imported fixture)
    """An HTTP client of the app on the test's record store (`app_client`), its data folder the test's own."""
    async with app_client(reader) as client:
        yield client


@pytest.fixture
async def second_pool(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[asyncpg.Pool]:  # noqa: F811 (the imported fixture)
    """A pool of another web app instance on the test's database, opened as the server opens its own."""
    other = await create_pool(database_url, min_size=1, max_size=4, no_session_state=True)
    try:
        yield other
    finally:
        await other.close()


@pytest.fixture(params=[1, 2], ids=["one instance", "two instances on one database"])
def instances(request: pytest.FixtureRequest, reader: RecordReader) -> list[RecordReader]:  # noqa: F811
    """The record store as each instance of the web app reads it: one, or two each with its own pool (as two
    processes would) on the test's database. A rule every instance must share is tested with both."""
    if request.param == 1:
        return [reader]
    return [reader, RecordReader(request.getfixturevalue("second_pool"))]


class Screenshots:
    """Pictures the browser tests took, listed in the terminal summary so a person can look at them."""

    def __init__(self) -> None:
        self.taken: list[tuple[Path, str]] = []

    def add(self, path: Path, what: str) -> None:
        self.taken.append((path, what))


_SCREENSHOTS = pytest.StashKey[Screenshots]()


class AxeFigures:
    """What the accessibility tests' axe-core runs found (tests/webapp/test_accessibility.py): each page checked,
    the rules run on it and its violations, for the terminal summary."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, int, int]] = []  # (page, rules run, violations)
        self.rules: set[str] = set()

    def add(self, page: str, rules: set[str], violations: int) -> None:
        self.pages.append((page, len(rules), violations))
        self.rules |= rules

    @property
    def violations(self) -> int:
        return sum(v for _, _, v in self.pages)


_AXE = pytest.StashKey[AxeFigures]()


@pytest.fixture(scope="session")
def axe_figures(request: pytest.FixtureRequest) -> AxeFigures:
    figures = AxeFigures()
    request.config.stash[_AXE] = figures
    return figures


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    taken = Screenshots()
    request.config.stash[_SCREENSHOTS] = taken
    return taken


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    figures = config.stash.get(_AXE, None)
    if figures is not None and figures.pages:
        terminalreporter.section("web app: accessibility (axe-core, WCAG 2.1 A and AA)")
        for page, rules, violations in figures.pages:
            terminalreporter.write_line(f"{page}: {rules} rules run, {violations} violations")
        terminalreporter.write_line(
            f"pages checked: {len(figures.pages)}, rules run: {len(figures.rules)}, violations: {figures.violations}"
        )
    taken = config.stash.get(_SCREENSHOTS, None)
    if taken is None or not taken.taken:
        return
    terminalreporter.section("web app: screenshots")
    for path, what in taken.taken:
        terminalreporter.write_line(f"{path}  ({what})")
