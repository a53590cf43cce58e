"""The worker registers one activity under every name the workflow calls."""

from __future__ import annotations

from typing import cast

from temporalio import activity
from temporalio.client import Client

from activities.period_starts import PeriodStarter
from activities.record_store import RecordStore
from activities.registry import all_activities
from domain.contract import Activities


def test_every_activity_name_is_registered_once(store: RecordStore) -> None:
    # `worker.build_worker` adds the period starter (it needs the worker's client) to these.
    registered = [*all_activities(store), PeriodStarter(cast(Client, None)).start_periods]
    names = [activity._Definition.must_from_callable(fn).name or "" for fn in registered]

    assert sorted(names) == sorted(value for key, value in vars(Activities).items() if key.isupper())
