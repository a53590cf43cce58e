"""Every activity of the engine, for the worker to register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from activities.assessments import AssessmentStore
from activities.mail_delivery import MailDelivery
from activities.national_gatherings import GatheringStore
from activities.owner_contacts import ContactStore
from activities.plans import load_programme_plan
from activities.record_store import RecordStore
from activities.retention import RetentionJob
from activities.selection_decisions import DecisionStore
from config.mail import MailSettings
from config.settings import AppSettings


def all_activities(store: RecordStore) -> list[Callable[..., Any]]:
    """The record store's bound activity methods and the plan loader, one per name in `Activities`."""
    return [
        load_programme_plan,
        store.record_period_started,
        store.record_milestone,
        store.record_phase_change,
        store.record_advisers_change,
        store.record_competence_environment,
        store.record_meeting,
        store.record_meetings,
        store.send_notice,
        store.record_gathering,
        store.record_final_evaluation,
        store.record_invitation,
        GatheringStore(store.pool, store.settings, store.people).record_national_gathering,
        DecisionStore(store.pool).record_selection_decision,
        ContactStore(store.pool).record_owner_contact,
        AssessmentStore(store.pool, store.settings).record_county_assessment,
    ]


def maintenance_activities(
    pool: asyncpg.Pool, settings: AppSettings, mail: MailSettings | None = None
) -> list[Callable[..., Any]]:
    """The activities of the engine's own jobs (not called by periods or cohorts): retention and mail delivery."""
    return [
        RetentionJob(pool, settings).remove_expired_personal_data,
        MailDelivery(pool, mail or MailSettings()).deliver_mail,
    ]
