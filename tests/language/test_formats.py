"""Numbers and shares as each language writes them (Babel's patterns), the way the shortlist shows them."""

from __future__ import annotations

import pytest

from language import Language, formats
from language.current import using
from selection.shortlist_facts import percent

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "share", "number"),
    [
        ("nb", f"36,5{NBSP}%", f"1{NBSP}234,5"),
        ("nn", f"36,5{NBSP}%", f"1{NBSP}234,5"),
        ("sv", f"36,5{NBSP}%", f"1{NBSP}234,5"),
        ("en", "36.5%", "1,234.5"),
    ],
)
def test_a_share_and_a_number_read_as_the_language_writes_them(language: Language, share: str, number: str) -> None:
    with using(language):
        assert formats.percent(0.365) == share
        assert formats.number(1234.5) == number
        # The shortlist's shares keep one decimal, so 100 % and 9.1 % line up in a column.
        assert percent(1.0) == share.replace("36,5", "100,0").replace("36.5", "100.0")
        assert percent(None) == "-"


def test_a_share_without_decimals_keeps_the_languages_placement() -> None:
    with using("nb"):
        assert formats.percent(0.5, decimals=0) == f"50{NBSP}%"
    with using("en"):
        assert formats.percent(0.5, decimals=0) == "50%"
