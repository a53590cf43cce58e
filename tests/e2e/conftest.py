"""Fixtures for the end-to-end tests: the whole stack as `make dev` runs it, on free ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.devstack.stack_process import RunningStack, devstack_process


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[RunningStack]:
    """`python -m devstack` with its own data folder: dev server, embedded PostgreSQL and worker."""
    async with devstack_process(tmp_path / "var") as running:
        yield running
    assert running.survivors() == [], "the stack left processes behind"
