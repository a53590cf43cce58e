"""Payload strategies for every update, signal and start input: a valid base, mutated by
`tests.properties.hostile.mutated`.

What the base needs of the workflow's state of the moment (the milestone that closes the current phase, a
meeting or gathering id it knows, a working day ahead) is drawn as a placeholder and filled in by
`hostile.resolve` with a `hostile.Context` built from the workflow's status (`period_context`,
`cohort_context`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue

from config.competence import competence_register
from config.settings import VeilederkorpsetSettings
from domain.cohort import CohortStatus
from domain.models import MeetingKind, PeriodStatus
from domain.phases import Milestone, is_terminal
from tests.helpers.harness import ADVISERS, SCHOOLS
from tests.properties.benches import COHORT_OWNERS
from tests.properties.hostile import (
    Context,
    DaysFromToday,
    Json,
    Known,
    OnlyWhen,
    counts,
    dates,
    flags,
    free_text,
    known,
    mutated,
    names,
    texts,
    times,
    working_days_ahead,
)

PLAN = VeilederkorpsetSettings().plan()
MEETING_KINDS = get_args(MeetingKind)


def period_context(status: PeriodStatus, today: date) -> Context:
    closing = [] if is_terminal(status.phase) else [PLAN.phase_plan(status.phase).closing_milestone]
    return Context(
        today,
        {
            "closing": closing,
            "meeting": [m.meeting_id for m in status.meetings],
            "gathering": [g.gathering_id for g in status.gatherings],
        },
    )


def cohort_context(status: CohortStatus, today: date) -> Context:
    return Context(
        today,
        {
            "waiting": [i.owner_id for i in status.invitations if i.state.is_open],
            "owner": [i.owner_id for i in status.invitations],
            "gathering": [g.gathering_id for g in status.gatherings],
            "gathering_ahead": [g.gathering_id for g in status.gatherings if g.date > today],
            "network_meeting": [m.meeting_id for m in status.network_meetings],
        },
    )


# --- GuidancePeriodWorkflow --------------------------------------------------------------------------

RECORD_MILESTONE = mutated(
    {
        "milestone": Known("closing", 0, "mapping_done"),
        "adviser": ADVISERS[0],
        "note": "Pupil survey analysed",
        "development_area": OnlyWhen("closing", Milestone.DEVELOPMENT_AREA_CHOSEN, "basic_skills"),
        "goals": OnlyWhen("closing", Milestone.GOALS_PRIORITISED, ["More pupils read at mastery level 3"]),
    },
    {
        "milestone": st.one_of(
            known("closing", "mapping_done"),
            names([str(m) for m in Milestone], "Mapping_done", "mapping-done", "party_held"),
        ),
        "adviser": names(ADVISERS, "z.nobody", "a"),
        "note": st.text(max_size=200),
        "development_area": names(PLAN.development_areas, "astrology", "Basic_skills"),
        "development_area_other": free_text(),
        "goals": texts(),
        "next_cycle": flags(),
    },
)

SCHEDULE_MEETING = mutated(
    {"kind": "follow_up", "date": DaysFromToday(3), "adviser": ADVISERS[1], "schools": [SCHOOLS[0]]},
    {
        "kind": names(MEETING_KINDS, "dinner", "Kickoff"),
        # A period lasts 30 months: some of these days fall after its end.
        "date": dates(working_days_ahead(max_days=1000)),
        "start": times(),
        "duration_minutes": counts(15, 600),
        "adviser": names(ADVISERS, "z.nobody"),
        "schools": st.lists(st.sampled_from([*SCHOOLS, "Ukjent skole"]) | st.text(max_size=20), max_size=3),
        "title": free_text(),
        "meeting_id": known("meeting", "m1", "m999", "network-1"),
    },
)

WITHDRAW = mutated(
    {"reason": "The owner merges with a neighbour", "by": "coordinator.udir"},
    {"reason": st.text(max_size=300), "by": free_text()},
)

CHANGE_ADVISERS = mutated(
    {"advisers": [ADVISERS[0], "c.berg"], "by": "coordinator.udir"},
    {
        "advisers": st.one_of(
            st.lists(names([*ADVISERS, "c.berg"], "z.nobody", "A.Hansen", "a", " b.olsen ", ""), max_size=12),
            texts(),
        ),
        "by": free_text(),
        "reason": free_text(300),
    },
)

#: The register's environments as an update carries them, and some that serve no period's area or are malformed.
ENVIRONMENTS = [e.ref().model_dump() for e in competence_register()[:6]]
RECORD_COMPETENCE_ENVIRONMENT = mutated(
    {"environment": ENVIRONMENTS[0], "state": "proposed", "adviser": ADVISERS[0], "note": "Early reading"},
    {
        "environment": st.one_of(
            st.sampled_from(ENVIRONMENTS),
            st.sampled_from(
                [
                    {"id": "nowhere", "name": "Nowhere", "kind": "university", "areas": ["astrology"]},
                    {"id": "Bad Id", "name": "x", "kind": "university", "areas": ["basic_skills"]},
                    {"id": "ok", "name": "", "kind": "school", "areas": []},
                    {"id": "ok", "name": "Many", "kind": "university", "areas": ["basic_skills"] * 21},
                ]
            ),
        ),
        "state": names(["proposed", "contacted", "agreed"], "Agreed", "done", ""),
        "adviser": names(ADVISERS, "z.nobody"),
        "date": st.one_of(st.builds(DaysFromToday, st.integers(min_value=-60, max_value=3), st.just(False)), dates()),
        "note": st.text(max_size=1100),
    },
)

GATHERING_INVITATION = mutated(
    {"gathering_id": "spring", "title": "The school owner role", "date": DaysFromToday(42), "place": "Oslo"},
    {
        "gathering_id": known("gathering", "spring", "autumn", "closing"),
        "title": free_text(),
        "date": dates(),
        "place": free_text(),
        "sequence": counts(0, 10_000),
    },
)


# --- raw payloads ------------------------------------------------------------------------------------

CORRUPTIONS = (
    "none",
    "truncate",
    "insert garbage",
    "byte-order mark",
    "utf-16",
    "duplicate key",
    "deep nesting",
    "non-finite numbers",
    "trailing comma",
)
ENCODINGS = (b"json/plain",) * 6 + (b"JSON/PLAIN", b"json/plain; charset=utf-8", b"xml/plain", b"", None)


@dataclass(frozen=True)
class RawRecipe:
    """A payload made by hand, as a client of another SDK or a broken proxy might send it: JSON text (perhaps
    corrupted) under an encoding (perhaps not one the worker knows). Encodings whose converters ignore the
    handler's type (``binary/null``, ``binary/plain``, ``json/protobuf``) are left out: test_known_bugs.py."""

    update: str
    drawn: Json
    corruption: str
    position: float
    garbage: bytes
    encoding: bytes | None

    def encode(self, payload: Json) -> tuple[RawValue, Json]:
        """The raw payload for the resolved `payload`, and the JSON value it still holds (if any)."""
        text = json.dumps(payload, ensure_ascii=False, allow_nan=True)
        cut = int(len(text) * self.position)
        if self.corruption == "truncate":
            text = text[:cut]
        elif self.corruption == "byte-order mark":
            text = "\ufeff" + text
        elif self.corruption == "duplicate key" and text.startswith("{") and len(text) > 2:
            text = '{"reason": 1, ' + text[1:]
        elif self.corruption == "deep nesting":
            text = "[" * 10_000 + text + "]" * 10_000
        elif self.corruption == "non-finite numbers":
            text = text.replace("0", "NaN", 1).replace("1", "Infinity", 1)
        elif self.corruption == "trailing comma" and text.endswith("}"):
            text = text[:-1] + ",}"
        data = text.encode("utf-16" if self.corruption == "utf-16" else "utf-8")
        if self.corruption == "insert garbage":
            data = data[:cut] + self.garbage + data[cut:]
        metadata = {} if self.encoding is None else {"encoding": self.encoding}
        try:
            still = json.loads(data)
        except (ValueError, RecursionError):
            still = None
        return RawValue(Payload(metadata=metadata, data=data)), still


def _recipes(update: str, drawn: SearchStrategy[Json]) -> SearchStrategy[RawRecipe]:
    return st.builds(
        RawRecipe,
        st.just(update),
        drawn,
        st.sampled_from(CORRUPTIONS),
        st.floats(min_value=0, max_value=1),
        st.binary(min_size=1, max_size=8),
        st.sampled_from(ENCODINGS),
    )


RAW_UPDATES = st.one_of(
    _recipes("record_milestone", RECORD_MILESTONE),
    _recipes("schedule_meeting", SCHEDULE_MEETING),
    _recipes("withdraw", WITHDRAW),
    _recipes("change_advisers", CHANGE_ADVISERS),
    _recipes("record_competence_environment", RECORD_COMPETENCE_ENVIRONMENT),
)


# --- CohortWorkflow ----------------------------------------------------------------------------------

OWNER_IDS = [o["owner"]["id"] for o in COHORT_OWNERS]

RESPOND_TO_INVITATION = mutated(
    {"owner_id": Known("waiting", 0, "1103"), "answer": "accept", "by": "SF Rogaland"},
    {
        "owner_id": st.one_of(known("waiting", "1103"), names(OWNER_IDS, "9999", "0000", "03", "3301 ", "330")),
        "answer": names(["accept", "decline"], "Accept", "yes", "maybe"),
        "by": free_text(),
    },
)

ADD_GATHERING = mutated(
    {"title": "Leading learning", "date": DaysFromToday(140), "by": "udir"},
    {
        "title": free_text(),
        "date": dates(working_days_ahead(max_days=900)),
        "place": free_text(),
        "by": free_text(),
    },
)

MOVE_GATHERING = mutated(
    {"gathering_id": Known("gathering_ahead", 0, "start"), "date": DaysFromToday(84), "by": "udir"},
    {
        "gathering_id": st.one_of(known("gathering_ahead", "start"), known("gathering", "start", "extra-99", "Start")),
        "date": dates(working_days_ahead(max_days=900)),
        "place": st.one_of(st.none(), free_text()),
        "by": free_text(),
    },
)

SCHEDULE_NETWORK_MEETING = mutated(
    {"network": "Sunnhordland", "date": DaysFromToday(10), "adviser": "d.lie"},
    {
        "network": names(["Sunnhordland", "Trondheimsfjorden"], "sunnhordland", "Nowhere"),
        "date": dates(),
        "start": times(),
        "duration_minutes": counts(15, 600),
        "adviser": names(["d.lie", "e.dahl"], "a.hansen", "z.nobody"),
        "title": free_text(),
        "meeting_id": known("network_meeting", "network-1", "network-99", "m1"),
    },
)


# --- start inputs ------------------------------------------------------------------------------------

VALID_OWNERS: list[dict[str, str]] = [o["owner"] for o in COHORT_OWNERS]

OWNERS = st.one_of(
    st.sampled_from(VALID_OWNERS),
    mutated(
        VALID_OWNERS[0],
        {
            "id": names(["3301", "46", "0301"], "301", "33011", "3399", "ab12"),
            "name": free_text(),
            "kind": names(["municipality", "county_authority"], "county", "kommune"),
            "county": names(["33", "46", "03"], "3", "99"),
        },
    ),
)

ADVISER_LISTS = st.lists(
    names(["a.hansen", "b.olsen", "c.berg"], "A.Hansen", "a", "1abc", "a b"), max_size=4
) | st.lists(st.just("a.hansen"), min_size=11, max_size=12)

_PLAN_JSON: dict[str, Any] = PLAN.model_dump(mode="json")

#: The plan a period carries: none (the worker loads it), the shipped plan, or the plan with a field changed.
PROGRAMMES = st.one_of(
    st.none(),
    st.just(_PLAN_JSON),
    mutated(
        _PLAN_JSON,
        {
            "name": names([PLAN.name], "Veilederkorpset", ""),
            "max_months": counts(1, 120),
            "meeting_gap_weeks": counts(1, 260),
            "reminder_delay_days": counts(0, 90),
            "escalation_delay_weeks": counts(1, 260),
            "new_cycle_min_months": counts(1, 120),
            "development_areas": st.lists(st.text(max_size=20), max_size=3),
            "calendar_country": names(["NO", "SE"], "no", "NOR", "DK"),
            "timezone": names(["Europe/Oslo", "UTC"], "Mars/Olympus", "CET", "Europe/Berlin"),
            "phases": st.just(_PLAN_JSON["phases"][::-1]),
        },
    ),
)


#: A cohort name of the example's own (`Context.known["cohort"]`), so that no two examples share a period id.
OWN_COHORT = Known("cohort", 0, "x")
COHORT_NAMES = st.one_of(st.just(OWN_COHORT), names(["x"], "x y", "x/y", "x" * 33, "", "Pulje-2027"))

PERIOD_INPUT = mutated(
    {
        "cohort": OWN_COHORT,
        "owner": VALID_OWNERS[0],
        "advisers": ["a.hansen", "b.olsen"],
        "start_date": DaysFromToday(1),
    },
    {
        "cohort": COHORT_NAMES,
        "owner": OWNERS,
        "advisers": ADVISER_LISTS,
        "start_date": dates(),
        "plan": names(["veilederkorpset"], "unknown-plan"),
        "schools": st.lists(st.text(max_size=30), max_size=3),
        "programme": PROGRAMMES,
        "network": st.one_of(st.none(), free_text()),
        "kindergarten_transition": flags(),
        "report_to": st.one_of(st.none(), free_text()),
    },
)


COHORT_OWNER = mutated(
    COHORT_OWNERS[3],
    {
        "owner": OWNERS,
        "advisers": ADVISER_LISTS,
        "schools": st.lists(st.text(max_size=30), max_size=3),
        "network": st.one_of(st.none(), free_text()),
        "kindergarten_transition": flags(),
        "accepted_by": st.one_of(st.none(), free_text()),
    },
)


COHORT_INPUT = mutated(
    {"cohort": OWN_COHORT, "start_date": DaysFromToday(56), "owners": COHORT_OWNERS[3:5]},
    {
        "cohort": COHORT_NAMES,
        "start_date": dates(working_days_ahead(min_days=20, max_days=400)),
        "owners": st.lists(st.one_of(st.sampled_from(COHORT_OWNERS[3:]), COHORT_OWNER), max_size=3),
        "plan": names(["veilederkorpset"], "unknown-plan"),
        "reply_days": counts(1, 120),
        "no_reply_after_days": counts(1, 120),
    },
)
