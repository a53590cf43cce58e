"""Generate a plausible, seeded indicator file for Norway's 371 school owners (not real figures).

    .venv/bin/python scripts/generate_indicators.py var/indicators.csv [--seed 2026] [--years 4] [--latest 2024-25]
    guidance select --indicators var/indicators.csv
    .venv/bin/python scripts/generate_indicators.py var/indicators-later.csv --seed 2026 --after 3

The last line writes the same world three school years later (``--after 3``: the newest year 2027-28), for
`guidance report outcomes` to compare with the first: the same owners and schools with the same organisation
numbers, the years both files hold with the same values, and from ``--latest`` on each owner's tendency moved
by a drift of its own (some owners get better, some worse, many stay about the same).

The file follows the layout of `selection.indicator_file` (``;``-separated, decimal commas). What it contains:

- every school owner of `config.owners` (357 municipalities and 14 county authorities; Oslo, 0301, is both);
- per municipality 1 to 60 schools (a skewed distribution around 6, like Norway's about 2,700 primary and
  lower secondary schools): primary schools (grades 1-7: pupil survey grade 7, national tests grade 5),
  lower secondary schools (grades 8-10: pupil survey grade 10, national tests grade 8, grunnskolepoeng) and
  combined schools (all of them); per county authority 5 to 40 upper secondary schools with completion only;
  Oslo has both kinds, 60 in all;
- each school a fictitious but valid organisation number (checked with python-stdnum), a number of pupils
  per year group, and the owner's rows: the pupil-weighted average of its schools;
- values drawn around the national limit of the selection configuration, worse or better by an owner's and a
  school's own tendency plus yearly noise; an owner's tendency drifts a little from year to year;
- missing values as in the real export: ``*`` where fewer than 10 pupils took part, ``--`` now and then
  (about 2 %) for a value not reported.

The years after ``--latest`` (``--after N``) are drawn from a second random source seeded from the seed, so the
years up to ``--latest`` come out exactly as in the file without ``--after``.

The same seed and arguments always write the same bytes (a `random.Random(seed)` is the only source of chance
and everything is written in a fixed order).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from stdnum.no import orgnr

from config.owners import OSLO_MUNICIPALITY, all_owners
from domain.models import SchoolOwner
from selection.indicator_file import COLUMNS
from selection.scoring import IndicatorRule, SelectionConfig, load_selection_config, school_year, school_year_start

DEFAULT_SEED = 2026
DEFAULT_YEARS = 4
DEFAULT_LATEST = "2024-25"
#: The spread (standard deviation) of how far an owner's tendency moves over the years after ``--latest``.
LATER_DRIFT = 0.8
#: The most school years a later file may lie after ``--latest``.
MAX_AFTER = 10
#: Fewer pupils than this in a year group: the value is suppressed (``*``).
SUPPRESS_BELOW = 10
NOT_REPORTED_RATE = 0.02

PRIMARY = (
    "survey7_bullying",
    "survey7_teacher_support",
    "survey7_motivation",
    "nt5_reading_level1",
    "nt5_numeracy_level1",
)
LOWER_SECONDARY = (
    "survey10_bullying",
    "survey10_teacher_support",
    "survey10_motivation",
    "nt8_reading_level1",
    "nt8_numeracy_level1",
    "grunnskolepoeng",
)
UPPER_SECONDARY = ("completion_upper_secondary",)
SCHOOL_TYPES = {
    "primary": PRIMARY,
    "lower_secondary": LOWER_SECONDARY,
    "combined": PRIMARY + LOWER_SECONDARY,
    "upper_secondary": UPPER_SECONDARY,
}


@dataclass
class School:
    org_number: str
    indicators: tuple[str, ...]
    pupils: int
    tendency: float


@dataclass
class Owner:
    owner: SchoolOwner
    tendency: float
    schools: list[School] = field(default_factory=list)


def generate(
    seed: int = DEFAULT_SEED,
    years: int = DEFAULT_YEARS,
    latest: str = DEFAULT_LATEST,
    config: SelectionConfig | None = None,
    after: int = 0,
) -> str:
    """The indicator file's text for every school owner: `years` school years, the newest `after` years after
    `latest`."""
    if not 0 <= after <= MAX_AFTER:
        raise ValueError(f"after: 0 to {MAX_AFTER} school years, got {after}")
    rules = (config or load_selection_config()).indicators
    rng = random.Random(seed)
    later = random.Random(f"{seed}:after")
    used: set[str] = set()
    owners = [_owner(o, rng, used) for o in all_owners()]
    last_drawn = school_year_start(latest)
    newest = last_drawn + after
    written = range(newest - years + 1, newest + 1)
    # Every year of the file without `after` is drawn from `rng` as there, so the years both files hold agree.
    starts = range(last_drawn - years + 1, newest + 1)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for owner in owners:
        kind = "fylkeskommune" if owner.owner.kind == "county_authority" else "kommune"
        owner_rows: list[list[str]] = []
        school_rows: list[list[str]] = []
        moved = later.gauss(0, LATER_DRIFT) if after else 0.0
        for start in starts:
            year = school_year(start)
            rng_year = rng if start <= last_drawn else later
            drift = owner.tendency + moved * max(0, start - last_drawn) / max(after, 1) + rng_year.gauss(0, 0.25)
            totals: dict[str, tuple[float, int]] = {}
            for school in owner.schools:
                for indicator in school.indicators:
                    rule = rules[indicator]
                    pupils = max(1, round(school.pupils * rng_year.uniform(0.8, 1.2)))
                    raw = _value(rule, indicator, 0.6 * drift + school.tendency, pupils, rng_year)
                    total, count = totals.get(indicator, (0.0, 0))
                    totals[indicator] = (total + raw * pupils, count + pupils)
                    cell = _cell(raw, indicator) if pupils >= SUPPRESS_BELOW else "*"
                    if rng_year.random() < NOT_REPORTED_RATE:
                        cell = "--"
                    school_rows.append(["skole", school.org_number, owner.owner.id, indicator, year, cell])
            if start not in written:
                school_rows = [row for row in school_rows if row[4] != year]
                continue
            for indicator in sorted(totals):
                total, count = totals[indicator]
                cell = _cell(total / count, indicator) if count >= SUPPRESS_BELOW else "*"
                owner_rows.append([kind, owner.owner.id, owner.owner.id, indicator, year, cell])
        owner_rows.sort(key=lambda r: (r[3], r[4]))
        school_rows.sort(key=lambda r: (r[1], r[3], r[4]))
        writer.writerows(owner_rows + school_rows)
    return out.getvalue()


def _owner(owner: SchoolOwner, rng: random.Random, used: set[str]) -> Owner:
    result = Owner(owner=owner, tendency=rng.gauss(0, 1))
    if owner.kind == "county_authority":
        kinds = ["upper_secondary"] * rng.randint(5, 40)
    elif owner.id == OSLO_MUNICIPALITY:
        kinds = [rng.choice(("primary", "combined", "lower_secondary")) for _ in range(48)] + ["upper_secondary"] * 12
    else:
        count = min(60, max(1, round(math.exp(rng.gauss(1.6, 0.8)))))
        kinds = [rng.choices(("primary", "lower_secondary", "combined"), weights=(55, 15, 30))[0] for _ in range(count)]
        if count == 1:
            kinds = ["combined"]
    for kind in kinds:
        pupils = max(2, round(math.exp(rng.gauss(3.3, 0.8)) * (4 if kind == "upper_secondary" else 1)))
        result.schools.append(
            School(
                org_number=_org_number(rng, used),
                indicators=SCHOOL_TYPES[kind],
                pupils=pupils,
                tendency=rng.gauss(0, 0.8),
            )
        )
    return result


def _org_number(rng: random.Random, used: set[str]) -> str:
    """A fictitious organisation number with a valid check digit, not used before."""
    while True:
        candidate = f"9{rng.randrange(10**8):08d}"
        if candidate not in used and orgnr.is_valid(candidate):
            used.add(candidate)
            return candidate


def _value(rule: IndicatorRule, indicator: str, tendency: float, pupils: int, rng: random.Random) -> float:
    """A value around the national limit: a positive tendency is worse; small groups vary more."""
    gap = abs(rule.absolute_limit - rule.national_limit)
    worse = 1.0 if rule.higher_is_worse else -1.0
    value = rule.national_limit + worse * gap * (
        0.5 * tendency + rng.gauss(0, 0.4) + rng.gauss(0, 2.0 / math.sqrt(pupils))
    )
    low, high = _range(indicator)
    return min(high, max(low, value))


def _range(indicator: str) -> tuple[float, float]:
    if indicator.endswith(("teacher_support", "motivation")):
        return 1.0, 5.0
    if indicator == "grunnskolepoeng":
        return 20.0, 60.0
    return 0.0, 100.0


def _cell(value: float, indicator: str) -> str:
    """The value as the export writes it: a decimal comma, two decimals for an index, else one."""
    decimals = 2 if indicator.endswith(("teacher_support", "motivation")) else 1
    return f"{value:.{decimals}f}".replace(".", ",")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("output", type=Path, help="the CSV file to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS, help=f"school years, default {DEFAULT_YEARS}")
    parser.add_argument("--latest", default=DEFAULT_LATEST, help=f"the newest school year, default {DEFAULT_LATEST}")
    parser.add_argument(
        "--after",
        type=int,
        default=0,
        choices=range(MAX_AFTER + 1),
        metavar="N",
        help="write the same owners and schools N school years after --latest (a later file to compare), default 0",
    )
    args = parser.parse_args(argv)
    text = generate(seed=args.seed, years=args.years, latest=args.latest, after=args.after)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {text.count(chr(10)) - 1} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
