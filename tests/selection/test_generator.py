"""The sample generator: seeded and deterministic, and its output reads and scores like real data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from config.owners import all_owners
from scripts import generate_indicators
from selection.indicator_file import parse_indicator_csv
from selection.scoring import IndicatorRow, OwnerAssessment, assess, load_selection_config, select

ROOT = Path(__file__).resolve().parents[2]


@cache
def sample() -> str:
    return generate_indicators.generate(seed=7)


@cache
def rows() -> tuple[IndicatorRow, ...]:
    return tuple(parse_indicator_csv(sample(), "sample", indicators=load_selection_config().indicators))


def test_same_seed_same_text_other_seed_other_text() -> None:
    assert generate_indicators.generate(seed=7) == sample()
    assert generate_indicators.generate(seed=8) != sample()


def test_the_script_writes_the_same_bytes_in_separate_processes(tmp_path: Path) -> None:
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"ind-{hash_seed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "generate_indicators.py"), str(out), "--seed", "7"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == sample().encode("utf-8")


def test_every_owner_has_rows_and_a_plausible_number_of_schools() -> None:
    schools: dict[str, set[str]] = defaultdict(set)
    indicators: dict[str, set[str]] = defaultdict(set)
    owners = set()
    for row in rows():
        owners.add(row.owner_id)
        if row.unit_kind == "school":
            schools[row.owner_id].add(row.unit_id)
        indicators[row.owner_id].add(row.indicator)
    registry = all_owners()
    assert owners == {o.id for o in registry}
    assert all(1 <= len(schools[o.id]) <= 60 for o in registry)
    counties = [o for o in registry if o.kind == "county_authority"]
    assert len(counties) == 14
    assert all(indicators[o.id] == {"completion_upper_secondary"} for o in counties)
    assert 1500 <= sum(len(s) for s in schools.values()) <= 5000


def test_it_has_missing_values_of_both_kinds_and_four_years() -> None:
    text = sample()
    assert ";*\n" in text and ";--\n" in text
    missing = sum(1 for r in rows() if r.value is None)
    assert 0.01 < missing / len(rows()) < 0.3
    assert sorted({r.school_year for r in rows()}) == ["2021-22", "2022-23", "2023-24", "2024-25"]


def test_the_default_selection_fills_both_tracks() -> None:
    shortlist = select(rows(), load_selection_config())
    tracks = [s.track for s in shortlist.selected]
    assert tracks.count("rank") == 30
    assert 1 <= tracks.count("spread") <= 10
    assert shortlist.window == ["2022-23", "2023-24", "2024-25"]


def test_a_later_file_is_the_same_world_three_school_years_on() -> None:
    later = generate_indicators.generate(seed=7, after=3)
    later_rows = parse_indicator_csv(later, "later", indicators=load_selection_config().indicators)

    assert sorted({r.school_year for r in later_rows}) == ["2024-25", "2025-26", "2026-27", "2027-28"]
    assert {r.unit_id for r in later_rows} == {r.unit_id for r in rows()}, "the same owners and schools"
    # The year both files hold has the same values: the later file continues the first.
    assert {r for r in later_rows if r.school_year == "2024-25"} == {r for r in rows() if r.school_year == "2024-25"}
    assert generate_indicators.generate(seed=7, after=3) == later, "seeded"
    then = {a.owner_id: a.share for a in assess_owners(rows())}
    now = {a.owner_id: a.share for a in assess_owners(later_rows)}
    moved = [b - a for a, b in ((then[o], now[o]) for o in then) if a is not None and b is not None]
    assert min(moved) < -0.1 and max(moved) > 0.1, "some owners got better, some worse"


def assess_owners(found: Sequence[IndicatorRow]) -> list[OwnerAssessment]:
    return assess(found, load_selection_config())[1]
