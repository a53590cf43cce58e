"""Outcomes side by side (readmodel/outcomes.py): the hand-computed pair of files of `tests.readmodel.outcome_files`,
the movement rule, and the bounds and errors of the files."""

from __future__ import annotations

import pytest

from language.current import using
from readmodel.documents import outcomes_html
from readmodel.outcomes import (
    DEFAULT_TOLERANCE,
    CohortOutcomes,
    OutcomesError,
    load_outcomes,
    movement,
    outcomes_csv,
)
from selection.indicator_file import MAX_FILE_BYTES, IndicatorFileError
from tests.readmodel.outcome_files import BY_HAND, LATER, OWNERS, SELECTION
from tests.readmodel.rows import NOW


def _outcomes(selection: str = SELECTION, later: str = LATER, tolerance: float = DEFAULT_TOLERANCE) -> CohortOutcomes:
    return load_outcomes(
        "2027", OWNERS, (selection.encode(), "selection.csv"), (later.encode(), "later.csv"), tolerance=tolerance
    )


def test_each_owners_share_at_selection_and_now_is_the_one_computed_by_hand() -> None:
    found = _outcomes()

    assert [o.owner_id for o in found.owners] == ["1103", "3301", "3303", "4601"], "the cohort's owners, not Oslo"
    assert found.window_then == ("2022-23", "2023-24", "2024-25")
    assert found.window_now == ("2025-26", "2026-27", "2027-28")
    for owner in found.owners:
        then, now, moved = BY_HAND[owner.owner_id]
        for share, by_hand in ((owner.share_then, then), (owner.share_now, now)):
            if by_hand is None:
                assert share.share is None and share.possible == 0, owner.owner_id
            else:
                assert (share.points, share.possible) == by_hand, owner.owner_id
                assert share.share == pytest.approx(by_hand[0] / by_hand[1])
        assert owner.movement == moved, owner.owner_id
    drammen = next(o for o in found.owners if o.owner_id == "3301")
    assert drammen.change == pytest.approx(4 / 33 - 13 / 33)
    assert found.counts == [("better", 1), ("unchanged", 1), ("worse", 1), ("cannot_tell", 1)]


def test_every_indicator_and_school_year_shows_its_value_points_or_that_it_is_missing() -> None:
    drammen = next(o for o in _outcomes().owners if o.owner_id == "3301")

    reading, points = drammen.indicators  # in the selection configuration's order
    assert points.indicator == "grunnskolepoeng"
    assert [(c.value, c.points) for c in points.then] == [(37.0, 9.0), (40.0, 3.0), (42.0, 0.0)]
    assert points.share_then.share == pytest.approx(12 / 27) and points.share_now.share == pytest.approx(3 / 27)
    assert [c.state for c in reading.then] == ["value", "missing", "value"], "the suppressed value, not a zero"
    assert [c.state for c in reading.now] == ["value", "value", "missing"]
    assert reading.then[1].value is None and reading.then[1].points is None
    assert (reading.share_then.missing, reading.share_now.missing) == (1, 1)

    bergen = next(o for o in _outcomes().owners if o.owner_id == "4601")
    bullying = next(i for i in bergen.indicators if i.indicator == "survey10_bullying")
    assert [c.state for c in bullying.then] == ["absent", "absent", "absent"]
    assert [c.state for c in bullying.now] == ["absent", "absent", "value"]
    assert bullying.movement == "cannot_tell", "no value at selection"
    assert bergen.share_now.missing == 2


def test_the_tolerance_decides_unchanged_and_is_bounded() -> None:
    assert movement(0.30, 0.35, 0.05) == "unchanged", "on the tolerance is within it"
    assert movement(0.30, 0.36, 0.05) == "worse"
    assert movement(0.30, 0.24, 0.05) == "better"
    assert movement(None, 0.2, 0.05) == movement(0.2, None, 0.05) == "cannot_tell"
    kongsberg = next(o for o in _outcomes(tolerance=0.03).owners if o.owner_id == "3303")
    assert kongsberg.movement == "better", "-3.33 pp is beyond a tolerance of 3 pp"
    with using("en"), pytest.raises(OutcomesError, match=r"tolerance: a share between 0 and 0\.5"):
        _outcomes(tolerance=0.7)


def test_a_later_file_that_is_not_later_is_refused() -> None:
    with (
        using("en"),
        pytest.raises(OutcomesError, match=r"newest school year \(2024-25\) is not after the selection file's"),
    ):
        _outcomes(later=SELECTION)


def test_a_bad_later_file_names_its_line_and_column() -> None:
    bad = LATER.replace(
        "kommune;4601;4601;survey10_motivation;2026-27;3,30", "kommune;4601;4601;survey10_motivation;2026-27;n/a"
    )

    with pytest.raises(IndicatorFileError) as raised:
        _outcomes(later=bad)

    assert "later.csv: line 15, column verdi: 'n/a': not a number" in str(raised.value)


def test_a_file_over_the_bound_is_refused_before_it_is_read() -> None:
    huge = SELECTION + "x" * MAX_FILE_BYTES

    with pytest.raises(IndicatorFileError, match=r"selection\.csv: the file is larger than 8 MB"):
        _outcomes(selection=huge)


def test_the_csv_has_a_row_per_owner_and_one_per_indicator_with_shares_as_data() -> None:
    with using("en"):
        lines = outcomes_csv(_outcomes()).splitlines()

    assert lines[0].startswith("Owner id,Owner,Indicator,Share at selection,Share now,Change,Movement")
    assert "3301,Drammen,,0.3939,0.1212,-0.2727,better,13,33,1,4,33,1" in lines
    assert "3301,Drammen,grunnskolepoeng,0.4444,0.1111,-0.3333,better,12,27,0,3,27,0" in lines
    assert "1103,Stavanger,,0.4444,,,cannot_tell,4,9,0,0,0,3" in lines
    assert len(lines) == 1 + 4 + 2 + 2 + 2 + 1


def test_the_printable_page_shows_missing_values_as_such_and_a_table_beside_every_chart() -> None:
    with using("en"):
        page = outcomes_html(_outcomes(), NOW)

    assert "Cohort 2027: outcomes" in page
    assert "4 owners: better: 1, unchanged: 1, worse: 1, cannot tell: 1 (unchanged within ±5.0 pp)" in page
    assert page.count("<svg") == 2 + 4, "the cohort's two charts and one per owner"
    assert page.count('class="chart-numbers"') == page.count("<svg"), "a table of the numbers beside every chart"
    assert "39.4%" in page and "12.1%" in page and "−27.3 pp" in page
    assert "no value" in page and "no row" in page
    assert "<td>0</td>" not in page.split('id="values-1103"')[1].split("</table>")[0], "suppressed is not zero"
