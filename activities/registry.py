"""Every activity of the engine, for the worker to register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.plans import load_programme_plan
from activities.record_store import RecordStore


def all_activities(store: RecordStore) -> list[Callable[..., Any]]:
    """The record store's bound activity methods and the plan loader, one per name in `Activities`."""
    return [
        load_programme_plan,
        store.record_period_started,
        store.record_milestone,
        store.record_phase_change,
        store.record_meeting,
        store.send_notice,
        store.record_gathering,
        store.record_final_evaluation,
        store.record_invitation,
    ]
