"""Fixtures for activity tests: an activity environment naming the test period. The database, the pool on it
with the schema applied and the record store are the suite's (tests/conftest.py)."""

from __future__ import annotations

import dataclasses

import pytest
from temporalio.testing import ActivityEnvironment

from tests.activities.factories import WORKFLOW_ID


@pytest.fixture
def env() -> ActivityEnvironment:
    """An activity environment whose info names the test period, as a worker's would."""
    environment = ActivityEnvironment()
    environment.info = dataclasses.replace(ActivityEnvironment.default_info(), workflow_id=WORKFLOW_ID)
    return environment
