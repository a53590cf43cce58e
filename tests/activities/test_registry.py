"""The worker registers one activity under every name the workflow calls."""

from __future__ import annotations

from temporalio import activity

from activities.record_store import RecordStore
from activities.registry import all_activities
from domain.contract import Activities


def test_every_activity_name_is_registered_once(store: RecordStore) -> None:
    names = [activity._Definition.must_from_callable(fn).name or "" for fn in all_activities(store)]

    assert sorted(names) == sorted(value for key, value in vars(Activities).items() if key.isupper())
