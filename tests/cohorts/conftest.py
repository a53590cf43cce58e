"""Cohort tests: `CohortWorkflow` and the periods it starts on the time-skipping server, with recording fakes.

`cohorts` is the suite's harness (tests/helpers/harness.py); the record store's tests use the suite's database,
pool and store (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.helpers.harness import Harness


@pytest.fixture
def cohorts(harness: Harness) -> Harness:
    """The suite's harness, under the name the cohort tests give it."""
    return harness
