"""Property tests of bad input: the hypothesis profiles and the suite's harness with a live period or cohort per
module (`benches`).

Profiles: ``ci`` (the default) is derandomized, so every run draws the same examples and a failure is
reproducible from the printed blob (``@reproduce_failure``); ``explore`` draws new examples on every run,
more of them, for a person hunting bugs: ``HYPOTHESIS_PROFILE=explore .venv/bin/pytest tests/properties``.

Asynchronous properties: pytest-asyncio runs each example of an ``async`` test given by hypothesis on the
session's event loop, the loop the module's worker and server run on; so the fixtures they use are
module-scoped (hypothesis refuses function-scoped ones, which would not be reset between examples).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings
from temporalio.testing import WorkflowEnvironment

from tests.helpers.harness import running
from tests.properties.benches import SETTLE_SECONDS, CohortBench, PeriodBench, SignalDrops

settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    # No explain phase: it replays a failing example hundreds of times, each a round trip through the server.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    # A round trip through the server is slow by hypothesis' measure, and huge strings are meant to be huge.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("explore", parent=settings.get_profile("ci"), derandomize=False, max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
async def periods(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[PeriodBench]:
    async with running(
        PeriodBench, time_skipping_env, prefix="properties", names="p", patience=SETTLE_SECONDS
    ) as bench:
        yield bench


@pytest.fixture(scope="module")
async def cohorts(time_skipping_env: WorkflowEnvironment) -> AsyncIterator[CohortBench]:
    async with running(
        CohortBench, time_skipping_env, prefix="properties", names="c", patience=SETTLE_SECONDS
    ) as bench:
        yield bench


@pytest.fixture(scope="module")
def signal_drops() -> Iterator[SignalDrops]:
    """The SDK's log records of signals it could not decode and dropped."""
    handler = SignalDrops()
    logger = logging.getLogger("temporalio.worker._workflow_instance")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
