"""Strategies for hostile input: wrong types, huge and odd strings, far dates, unknown enum values, extra fields.

Every payload is a JSON value (what any Temporal client can send), drawn by `mutated` from a valid base in
one of two modes. *Plausible*: up to three fields set to plausible values of their own strategies (a valid
value, a near miss such as an unknown name, a malformed date, a number out of range, a day in the past), so
that many examples pass the converter and reach the workflow's validators. *Hostile*: up to three mutations
where a field may also get hostile text (control characters, bidi marks, huge strings) or a value of the
wrong type, be dropped, or be joined by an unknown field; now and then the whole payload is replaced by
another JSON value. The top level is never ``null``: a client sends Python's ``None`` as ``binary/null``,
which no model decodes (see test_known_bugs.py).

What a base needs of the workflow's state of the moment (an id it knows, a working day ahead) is drawn as a
placeholder (`DaysFromToday`, `Known`, `OnlyWhen`) and filled in by `resolve`, so what hypothesis draws
never depends on that state and a replay draws alike.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeAlias

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from domain import calendar

Json: TypeAlias = Any  # None | bool | int | float | str | list[Json] | dict[str, Json]

#: Characters that break naive handling: controls (C0, DEL, NEL), bidi controls and marks (RLO, RLM, isolates),
#: zero-width and BOM, separators, a combining mark, letters that change length when case-folded, Norwegian and
#: Sami letters, astral-plane letters, an emoji sequence, quotes and separators of CSV and SQL.
ODD_CHARACTERS = (
    "\x00\x07\x08\x1b\x7f\x85\t\n\r \xa0"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u2028\u2029\ufeff\ufffd\u0301\u0338"
    "İßǅﬁ"
    "æøåÆØÅŋŧđžčšÁ"
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢👩‍👩‍👧🇳🇴"
    "\"';,\\%_*{}<>"
)
#: Strings a person or a script might send by mistake, or on purpose.
NASTY_STRINGS = (
    "",
    " ",
    "\t\n",
    "\u200f",
    "\u202e",
    "null",
    "None",
    "undefined",
    "0",
    "-1",
    "1e309",
    "NaN",
    "true",
    "9999-12-31",
    "'; DROP TABLE periods; --",
    "{{7*7}}",
    "${jndi:ldap://127.0.0.1/a}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%s%s%s%n",
    "\u202etxt.exe",
    "a.hansen\u200b",
    "A.HANSEN",
)


def odd_text(min_size: int = 0, max_size: int = 40) -> SearchStrategy[str]:
    """Short text drawn mostly from odd characters, with any other character now and then."""
    alphabet = st.one_of(st.sampled_from(ODD_CHARACTERS), st.characters(codec="utf-8"))
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


def huge_text(max_repeat: int = 50_000) -> SearchStrategy[str]:
    """One to three characters repeated 100 to `max_repeat` times."""
    return st.builds(operator.mul, odd_text(min_size=1, max_size=3), st.integers(min_value=100, max_value=max_repeat))


def hostile_text() -> SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY_STRINGS), odd_text(), huge_text())


def json_scalars(*, null: bool = True) -> SearchStrategy[Json]:
    return st.one_of(
        st.none() if null else st.nothing(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        hostile_text(),
    )


def json_values() -> SearchStrategy[Json]:
    """Any JSON value, nested a little."""
    return st.recursive(
        json_scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
        max_leaves=6,
    )


def wrong_types() -> SearchStrategy[Json]:
    """A value of a type no field of the contract has in that place: null, a bool, a number, a list, an object."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.lists(json_scalars(), max_size=3),
        st.dictionaries(st.text(max_size=5), json_scalars(), max_size=3),
    )


def field_value(plausible: SearchStrategy[Json]) -> SearchStrategy[Json]:
    """A field's value in hostile mode: mostly plausible, else hostile text or a wrong type."""
    return st.one_of(plausible, plausible, plausible, hostile_text(), wrong_types())


def names(valid: Sequence[str], *also: str) -> SearchStrategy[Json]:
    """One of the valid names or a near miss."""
    return st.sampled_from([*valid, *also])


def free_text(max_size: int = 60) -> SearchStrategy[Json]:
    return st.text(max_size=max_size)


def texts(max_size: int = 4) -> SearchStrategy[Json]:
    return st.lists(st.one_of(st.text(max_size=40), odd_text()), max_size=max_size)


@dataclass(frozen=True)
class DaysFromToday:
    """A date `days` after the server's today (before it, when negative), moved to a working day when `working`.

    Drawn payloads hold placeholders like this one and are resolved against the workflow's state of the
    moment (`resolve`), so what hypothesis draws never depends on that state, and replays draw alike.
    """

    days: int
    working: bool = True


@dataclass(frozen=True)
class Known:
    """One of the names of `kind` the workflow knows at the moment (a meeting id, a gathering id), by position;
    `fallback` while it knows none."""

    kind: str
    index: int
    fallback: str


@dataclass(frozen=True)
class OnlyWhen:
    """`value` when the first known name of `kind` is `equals`, else the field is left out."""

    kind: str
    equals: str
    value: Json


@dataclass(frozen=True)
class Context:
    """What placeholders resolve against: the server's today and the names the workflow knows."""

    today: date
    known: Mapping[str, Sequence[str]]


_LEAVE_OUT = object()


def resolve(value: Json, context: Context) -> Json:
    """The payload with its placeholders replaced by values of the moment."""
    resolved = _resolve(value, context)
    return None if resolved is _LEAVE_OUT else resolved


def _resolve(value: Json, context: Context) -> Json:
    if isinstance(value, DaysFromToday):
        day = context.today + timedelta(days=value.days)
        return (calendar.next_working_day(day) if value.working else day).isoformat()
    if isinstance(value, Known):
        names = context.known.get(value.kind, ())
        return names[value.index % len(names)] if names else value.fallback
    if isinstance(value, OnlyWhen):
        names = context.known.get(value.kind, ())
        return _resolve(value.value, context) if names and names[0] == value.equals else _LEAVE_OUT
    if isinstance(value, dict):
        items = ((key, _resolve(item, context)) for key, item in value.items())
        return {key: item for key, item in items if item is not _LEAVE_OUT}
    if isinstance(value, list):
        return [item for item in (_resolve(item, context) for item in value) if item is not _LEAVE_OUT]
    return value


def known(kind: str, fallback: str, *also: str) -> SearchStrategy[Json]:
    """A name the workflow knows, or one of `also`."""
    return st.one_of(
        st.builds(Known, st.just(kind), st.integers(min_value=0, max_value=20), st.just(fallback)),
        st.sampled_from(also) if also else st.nothing(),
    )


def working_days_ahead(min_days: int = 1, max_days: int = 400) -> SearchStrategy[Json]:
    """A working day some days after today."""
    return st.builds(DaysFromToday, st.integers(min_value=min_days, max_value=max_days))


MALFORMED_DATES = (
    "2027-02-30",
    "2027-13-01",
    "2027-00-10",
    "27-01-12",
    "2027-1-2",
    "12.01.2027",
    "2027/01/12",
    "2027-01-12T09:00:00",
    "2027-01-12T09:30:00+01:00",
    "2027-01-12Z",
    "today",
    "+002027-01-12",
    "\uff12\uff10\uff12\uff17-01-12",
    "0000-01-01",
    "-0001-01-01",
)
EDGE_DATES = (
    "0001-01-01",
    "1900-02-28",
    "1970-01-01",
    "1999-12-31",
    "2000-01-01",
    "2099-12-31",
    "2100-12-31",
    "2101-01-03",
    "2200-06-01",
    "9999-12-31",
)


def dates(ahead: SearchStrategy[Json] | None = None) -> SearchStrategy[Json]:
    """A date field: mostly working days ahead, else days in the past, far ages, malformed dates, numbers."""
    ahead = ahead if ahead is not None else working_days_ahead()
    return st.one_of(
        ahead,
        ahead,
        ahead,
        st.builds(DaysFromToday, st.integers(min_value=-400, max_value=30), st.just(False)),
        st.dates().map(date.isoformat),
        st.sampled_from(EDGE_DATES),
        st.sampled_from(MALFORMED_DATES),
        st.integers(min_value=-(2**40), max_value=2**40),
    )


def times() -> SearchStrategy[Json]:
    """A time of day: valid ones, malformed ones, and ones with a UTC offset or given as seconds (which decode
    to times with a time zone: see `tests.properties.test_known_bugs`)."""
    return st.one_of(
        st.sampled_from(["09:00", "08:15", "13:30:00", "00:00", "23:59:59.999999", "9:00", "12"]),
        st.sampled_from(["24:00", "25:00", "09:60", "nine", "09:00:00.1234567", "T09:00", "09:00 AM"]),
        st.sampled_from(["09:00+02:00", "09:00Z", "10:15:00-05:30", 32400, 45000.5]),
        st.times().map(lambda t: t.isoformat()),
    )


def counts(low: int, high: int) -> SearchStrategy[Json]:
    """An integer field bounded to [low, high]: values inside, just outside, far outside, and non-integers."""
    return st.one_of(
        st.integers(min_value=low, max_value=high),
        st.sampled_from([low - 1, high + 1, 0, -1, 2**31, 2**63, -(2**63), 10**30]),
        st.sampled_from(["120", "1e2", "120.0", "0x78", " 120 "]),
        st.floats(),
    )


def flags() -> SearchStrategy[Json]:
    return st.one_of(st.booleans(), st.sampled_from(["true", "yes", "ja", "1", 1, 0, 2, "", "True", None]))


def extra_field_names() -> SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            ["id", "workflow_id", "phase", "__proto__", "constructor", "", " ", "Adviser", "milestone ", "\u202eby"]
        ),
        st.text(max_size=12),
    )


@st.composite
def mutated(draw: st.DrawFn, base: Mapping[str, Json], fields: Mapping[str, SearchStrategy[Json]]) -> Json:
    """`base` after up to three mutations drawn from `fields` (plausible values), in plausible or hostile mode."""
    hostile = draw(st.booleans())
    if hostile and draw(st.sampled_from([False] * 7 + [True])):
        return draw(st.one_of(json_scalars(null=False), st.lists(json_values(), max_size=3)))
    payload = dict(base)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        operation = draw(st.sampled_from(["set", "set", "set", "set", "drop", "extra"])) if hostile else "set"
        if operation == "set":
            name = draw(st.sampled_from(sorted(fields)))
            payload[name] = draw(field_value(fields[name]) if hostile else fields[name])
        elif operation == "drop" and payload:
            del payload[draw(st.sampled_from(sorted(payload)))]
        else:
            payload[draw(extra_field_names())] = draw(json_values())
    return payload
