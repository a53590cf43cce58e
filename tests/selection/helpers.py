"""Hand-made indicator data for the selection tests."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from stdnum.no import orgnr

from selection.scoring import IndicatorRow, IndicatorRule, SelectionConfig

YEARS = ("2022-23", "2023-24", "2024-25")


@cache
def org_numbers() -> tuple[str, ...]:
    """Valid (fictitious) organisation numbers, in a fixed order."""

    def candidates() -> Iterator[str]:
        for n in range(910_000_000, 911_000_000):
            if orgnr.is_valid(str(n)):
                yield str(n)

    found: list[str] = []
    for number in candidates():
        found.append(number)
        if len(found) == 200:
            break
    return tuple(found)


def rule(
    national: float = 10.0, absolute: float = 20.0, *, higher_is_worse: bool = True, weight: float = 1
) -> IndicatorRule:
    return IndicatorRule(
        label="test", higher_is_worse=higher_is_worse, national_limit=national, absolute_limit=absolute, weight=weight
    )


def config(**fields: object) -> SelectionConfig:
    """Two indicators: ``bad`` (higher is worse, limits 10 and 20) and ``good`` (lower is worse, 10 and 5)."""
    values: dict[str, object] = {
        "top": 1,
        "spread_track": 1,
        "spread_level": 0.5,
        "indicators": {
            "bad": rule(10, 20),
            "good": rule(10, 5, higher_is_worse=False),
            "gsp": rule(40, 35, higher_is_worse=False, weight=3),
        },
    }
    values.update(fields)
    return SelectionConfig.model_validate(values)


def owner_rows(owner_id: str, values: dict[str, float | None], indicator: str = "bad") -> list[IndicatorRow]:
    """An owner's rows: school year -> value."""
    return [
        IndicatorRow(
            unit_kind="owner", unit_id=owner_id, owner_id=owner_id, indicator=indicator, school_year=y, value=v
        )
        for y, v in values.items()
    ]


def school_rows(school_id: str, owner_id: str, value: float | None, indicator: str = "bad") -> list[IndicatorRow]:
    """A school with the same value in each of the three years."""
    return [
        IndicatorRow(
            unit_kind="school", unit_id=school_id, owner_id=owner_id, indicator=indicator, school_year=y, value=value
        )
        for y in YEARS
    ]


def every_year(value: float | None) -> dict[str, float | None]:
    return dict.fromkeys(YEARS, value)
