"""The scoring rules of DESIGN.md, point 1, each on a hand-made case with a known answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from selection.scoring import (
    IndicatorRow,
    SelectionConfigError,
    load_selection_config,
    score_unit,
    select,
    window,
    worst_schools,
)
from tests.selection.helpers import YEARS, config, every_year, org_numbers, owner_rows, rule, school_rows


@pytest.mark.parametrize(
    ("value", "points", "limit"),
    [(9.9, 0, None), (10.0, 0, None), (10.1, 1, "national"), (20.0, 1, "national"), (20.1, 3, "absolute")],
)
def test_worse_than_national_gives_1_and_worse_than_absolute_gives_3(
    value: float, points: int, limit: str | None
) -> None:
    assert rule(10, 20).points(value) == (points, limit)


@pytest.mark.parametrize(("value", "points"), [(10.0, 0), (9.9, 1), (5.0, 1), (4.9, 3), (50.0, 0)])
def test_lower_is_worse_turns_the_comparison(value: float, points: int) -> None:
    assert rule(10, 5, higher_is_worse=False).points(value)[0] == points


def test_absolute_limit_on_the_wrong_side_is_rejected() -> None:
    with pytest.raises(ValueError, match="must not be below"):
        rule(10, 5, higher_is_worse=True)
    with pytest.raises(ValueError, match="must not be above"):
        rule(10, 20, higher_is_worse=False)


def test_share_of_possible_points() -> None:
    # 2022-23: 1 point, 2023-24: 3 points, 2024-25: none; 3 possible each.
    score = score_unit(owner_rows("3301", {"2022-23": 15, "2023-24": 25, "2024-25": 5}), config(), list(YEARS))
    assert (score.points, score.possible) == (4, 9)
    assert score.share == pytest.approx(4 / 9)
    assert [(r.school_year, r.points, r.limit) for r in score.reasons] == [
        ("2023-24", 3, "absolute"),
        ("2022-23", 1, "national"),
    ]


def test_grunnskolepoeng_counts_triple() -> None:
    rows = owner_rows("3301", {"2024-25": 34.0}, "gsp") + owner_rows("3301", {"2024-25": 15.0}, "bad")
    score = score_unit(rows, config(), ["2024-25"])
    # gsp: 3 points x 3 of 9 possible; bad: 1 of 3 possible.
    assert (score.points, score.possible) == (10, 12)
    assert {r.indicator: r.points for r in score.reasons} == {"gsp": 9, "bad": 1}


def test_only_the_last_three_school_years_count() -> None:
    rows = owner_rows("3301", {"2020-21": 99, "2021-22": 99, **every_year(0.0)})
    assert window(rows, 3) == list(YEARS)
    shortlist = select(rows, config())
    assert shortlist.window == list(YEARS)
    assert shortlist.selected[0].assessment.score is not None
    assert shortlist.selected[0].assessment.score.points == 0
    assert shortlist.selected[0].assessment.score.possible == 9


def test_the_window_ends_at_the_newest_year_and_a_year_without_data_is_missing() -> None:
    rows = owner_rows("3301", {"2021-22": 25, "2022-23": 25, "2024-25": 25})
    (score,) = [s for s in select(rows, config()).selected]
    assert score.assessment.score is not None
    assert [c.school_year for c in score.assessment.score.missing] == ["2023-24"]
    assert (score.assessment.score.points, score.assessment.score.possible) == (6, 6)


def test_a_suppressed_value_lowers_the_possible_points_and_counts_neither_way() -> None:
    suppressed = score_unit(owner_rows("3301", {**every_year(25.0), "2023-24": None}), config(), list(YEARS))
    full = score_unit(owner_rows("3301", every_year(25.0)), config(), list(YEARS))
    assert (suppressed.points, suppressed.possible) == (6, 6)
    assert suppressed.share == full.share == 1.0
    assert [(c.indicator, c.school_year) for c in suppressed.missing] == [("bad", "2023-24")]
    assert full.missing == []


def test_an_indicator_without_any_row_is_not_expected_but_an_all_suppressed_one_is_missing() -> None:
    rows = owner_rows("3301", every_year(25.0)) + owner_rows("3301", every_year(None), "good")
    score = score_unit(rows, config(), list(YEARS))
    assert score.possible == 9
    assert len(score.missing) == 3
    only_bad = score_unit(owner_rows("3301", every_year(25.0)), config(), list(YEARS))
    assert only_bad.missing == []


def test_a_unit_with_only_missing_values_has_no_share_and_is_not_ranked() -> None:
    rows = owner_rows("3301", every_year(None)) + owner_rows("1101", every_year(15.0))
    shortlist = select(rows, config(top=5))
    assert [s.assessment.owner_id for s in shortlist.selected] == ["1101"]
    assert shortlist.owners_without_score == ["3301"]


def test_rank_track_takes_the_highest_shares_in_order() -> None:
    rows = (
        owner_rows("3301", every_year(15.0))  # 1/3
        + owner_rows("1101", every_year(25.0))  # 3/3
        + owner_rows("4601", every_year(5.0))  # 0
    )
    shortlist = select(rows, config(top=2, spread_track=0))
    assert [(s.rank, s.assessment.owner_id, s.track) for s in shortlist.selected] == [
        (1, "1101", "rank"),
        (2, "3301", "rank"),
    ]
    assert [s.assessment.owner_id for s in select(rows, config(top=2), top=1).selected] == ["1101"]


def test_ties_prefer_more_evidence_then_id_and_are_reported_at_the_cut() -> None:
    rows = (
        owner_rows("4601", every_year(25.0))
        + owner_rows("3301", {"2024-25": 25.0})  # same share 1.0 from fewer values
        + owner_rows("1101", every_year(25.0))
    )
    shortlist = select(rows, config(top=1, spread_track=0))
    assert [s.assessment.owner_id for s in shortlist.selected] == ["1101"]
    assert shortlist.ties_at_cut == ["4601", "3301"]


def _schools(owner_id: str, values: list[float], start: int) -> list[IndicatorRow]:
    rows: list[IndicatorRow] = []
    for i, value in enumerate(values):
        rows += school_rows(org_numbers()[start + i], owner_id, value)
    return rows


def test_worst_quarter_of_schools_nationally_with_ties_and_never_a_school_without_points() -> None:
    rows = _schools("3301", [25, 25, 15, 15, 5, 5, 5, 5], 0)
    schools = [score_unit([r for r in rows if r.unit_id == n], config(), list(YEARS)) for n in org_numbers()[:8]]
    worst, cutoff = worst_schools(schools, 0.25)
    assert worst == set(org_numbers()[:2]) and cutoff == 1.0
    worst, cutoff = worst_schools(schools, 0.3)  # 3 schools: the third ties with the fourth
    assert worst == set(org_numbers()[:4]) and cutoff == pytest.approx(1 / 3)
    worst, _ = worst_schools(schools, 1.0)  # all schools, but those without a point are not "worst"
    assert worst == set(org_numbers()[:4])


def test_spread_track_needs_a_large_spread_and_a_school_among_the_worst() -> None:
    owners = every_year(0.0)
    rows = (
        # 1101: highest owner share, chosen by rank even though its schools are spread too.
        owner_rows("1101", every_year(25.0))
        + _schools("1101", [25, 0], 0)
        # 3301: spread 1.0 and a school among the worst: the spread track.
        + owner_rows("3301", owners)
        + _schools("3301", [25, 0], 10)
        # 4601: spread 0 < 0.5, though both its schools are among the worst.
        + owner_rows("4601", owners)
        + _schools("4601", [25, 25], 20)
        # 1103: spread 2/3 >= 0.5 but its worst school (1/3) is not in the worst quarter.
        + owner_rows("1103", owners)
        + _schools("1103", [15, 0, 0, 0, 0, 0, 0, 0], 30)
    )
    shortlist = select(rows, config(top=1, spread_track=5))
    assert [(s.assessment.owner_id, s.track) for s in shortlist.selected] == [("1101", "rank"), ("3301", "spread")]
    chosen = shortlist.selected[1].assessment
    assert chosen.spread == 1.0
    assert [s.school_id for s in chosen.worst_schools] == [org_numbers()[10]]
    # Without the rank track, 1101 takes the spread track first (same spread, id order).
    assert [s.assessment.owner_id for s in select(rows, config(top=0, spread_track=1)).selected] == ["1101"]
    # The level decides: at 0, 4601 qualifies too (after 3301, whose spread is larger); 1103 never does.
    relaxed = select(rows, config(top=1, spread_track=5, spread_level=0.0))
    assert [s.assessment.owner_id for s in relaxed.selected] == ["1101", "3301", "4601"]


def test_spread_track_count_is_a_maximum() -> None:
    rows: list[IndicatorRow] = []
    for i, owner in enumerate(["1101", "1103", "3301", "4601"]):
        rows += owner_rows(owner, every_year(0.0)) + _schools(owner, [25, 0], 2 * i)
    shortlist = select(rows, config(top=0, spread_track=3))
    assert [s.assessment.owner_id for s in shortlist.selected] == ["1101", "1103", "3301"]
    assert [s.rank for s in shortlist.selected] == [1, 2, 3]


def test_shipped_configuration_follows_the_design() -> None:
    shipped = load_selection_config()
    assert (shipped.top, shipped.spread_track, shipped.years, shipped.worst_school_fraction) == (30, 10, 3, 0.25)
    assert {k for k, r in shipped.indicators.items() if r.weight == 3} == {"grunnskolepoeng"}
    assert len(shipped.indicators) == 12
    assert all(shipped.indicators[k].higher_is_worse for k in shipped.indicators if "bullying" in k or "level1" in k)
    for key in ("teacher_support", "motivation", "grunnskolepoeng", "completion"):
        assert all(not r.higher_is_worse for k, r in shipped.indicators.items() if key in k)


def test_a_bad_configuration_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "selection.toml"
    path.write_text(
        "[selection]\ntop = -1\n[indicators.x]\nlabel = 'x'\nhigher_is_worse = true\n"
        "national_limit = 1\nabsolute_limit = 2\nweight = 0\n"
    )
    with pytest.raises(SelectionConfigError) as raised:
        load_selection_config(path)
    message = str(raised.value)
    assert str(path) in message
    assert "selection.top" in message
    assert "indicators.x.weight" in message
    path.write_text("[selection\n")
    with pytest.raises(SelectionConfigError, match="not valid TOML"):
        load_selection_config(path)
