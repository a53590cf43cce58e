"""A small hand-written pair of indicator files three school years apart, and the shares computed by hand.

The cohort is 2027 of `tests.readmodel.rows` (Drammen 3301, Kongsberg 3303, Bergen 4601) with Stavanger (1103)
added (`STAVANGER`). The shipped `selection/selection.toml` scores them: a value worse than the national limit
gives 1 point, worse than the absolute limit 3, times the indicator's weight; each value present adds 3 * weight
possible points; the last three school years of each file count.

At selection (``SELECTION``, newest year 2024-25, so the window is 2022-23, 2023-24, 2024-25):

- Drammen. grunnskolepoeng (weight 3; lower is worse; national 41.5, absolute 38.0): 37.0 < 38.0 gives 3 * 3 = 9,
  40.0 < 41.5 gives 3, 42.0 gives 0: 12 of 27. Its 2021-22 value (30.0, 9 points) is outside the window.
  nt5_reading_level1 (higher is worse; 24, 34): 30.0 > 24 gives 1, 2023-24 is suppressed (*), 20.0 gives 0:
  1 of 6. The school row (99.9 % at level 1) does not count: an owner is scored by its own rows.
  In all 13 of 33 = 39.39 %.
- Kongsberg. survey7_bullying (higher is worse; 7.5, 12.0): 8.0, 8.0, 7.0 give 1, 1, 0: 2 of 9.
  nt5_numeracy_level1 (24, 34): 25.0, 20.0, 20.0 give 1, 0, 0: 1 of 9. In all 3 of 18 = 16.67 %.
- Bergen. survey10_motivation (lower is worse; 3.5, 3.2): 3.40, 3.60, 3.55 give 1, 0, 0: 1 of 9 = 11.11 %.
- Stavanger. survey7_motivation (lower is worse; 3.9, 3.6): 3.50, 3.80, 4.00 give 3, 1, 0: 4 of 9 = 44.44 %.

Now (``LATER``, newest year 2027-28, the window 2025-26, 2026-27, 2027-28):

- Drammen. grunnskolepoeng 41.0, 42.0, 43.0 give 3, 0, 0: 3 of 27. nt5_reading_level1 22.0, 25.0, -- (not
  reported) give 0, 1, missing: 1 of 6. In all 4 of 33 = 12.12 %; change -27.27 pp: better.
- Kongsberg. survey7_bullying 8.0, 9.0, 7.5 give 1, 1, 0 (7.5 is on the limit, and only worse counts): 2 of 9.
  nt5_numeracy_level1 20.0, 20.0, empty give 0, 0, missing: 0 of 6. In all 2 of 15 = 13.33 %; change -3.33 pp,
  within the tolerance of 5 pp: unchanged.
- Bergen. survey10_motivation 3.10, 3.30, 3.45 give 3, 1, 1: 5 of 9. survey10_bullying has a row for 2027-28
  only (5.0, 0 points, 0 of 3), so 2025-26 and 2026-27 are missing (no row). In all 5 of 12 = 41.67 %; change
  +30.56 pp: worse.
- Stavanger. survey7_motivation suppressed (*) every year: three values missing, no share: cannot tell.

Oslo (0301) has rows in both files and is not in the cohort.
"""

from __future__ import annotations

from datetime import date

from domain.calendar import end_of_day
from tests.readmodel.rows import ZONE, Period

SELECTION = """enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi
kommune;3301;3301;grunnskolepoeng;2021-22;30,0
kommune;3301;3301;grunnskolepoeng;2022-23;37,0
kommune;3301;3301;grunnskolepoeng;2023-24;40,0
kommune;3301;3301;grunnskolepoeng;2024-25;42,0
kommune;3301;3301;nt5_reading_level1;2022-23;30,0
kommune;3301;3301;nt5_reading_level1;2023-24;*
kommune;3301;3301;nt5_reading_level1;2024-25;20,0
skole;974760673;3301;nt5_reading_level1;2024-25;99,9
kommune;3303;3303;survey7_bullying;2022-23;8,0
kommune;3303;3303;survey7_bullying;2023-24;8,0
kommune;3303;3303;survey7_bullying;2024-25;7,0
kommune;3303;3303;nt5_numeracy_level1;2022-23;25,0
kommune;3303;3303;nt5_numeracy_level1;2023-24;20,0
kommune;3303;3303;nt5_numeracy_level1;2024-25;20,0
kommune;4601;4601;survey10_motivation;2022-23;3,40
kommune;4601;4601;survey10_motivation;2023-24;3,60
kommune;4601;4601;survey10_motivation;2024-25;3,55
kommune;1103;1103;survey7_motivation;2022-23;3,50
kommune;1103;1103;survey7_motivation;2023-24;3,80
kommune;1103;1103;survey7_motivation;2024-25;4,00
kommune;0301;0301;grunnskolepoeng;2024-25;30,0
"""

LATER = """enhet_type;enhet_id;skoleeier_id;indikator;skoleaar;verdi
kommune;3301;3301;grunnskolepoeng;2025-26;41,0
kommune;3301;3301;grunnskolepoeng;2026-27;42,0
kommune;3301;3301;grunnskolepoeng;2027-28;43,0
kommune;3301;3301;nt5_reading_level1;2025-26;22,0
kommune;3301;3301;nt5_reading_level1;2026-27;25,0
kommune;3301;3301;nt5_reading_level1;2027-28;--
kommune;3303;3303;survey7_bullying;2025-26;8,0
kommune;3303;3303;survey7_bullying;2026-27;9,0
kommune;3303;3303;survey7_bullying;2027-28;7,5
kommune;3303;3303;nt5_numeracy_level1;2025-26;20,0
kommune;3303;3303;nt5_numeracy_level1;2026-27;20,0
kommune;3303;3303;nt5_numeracy_level1;2027-28;
kommune;4601;4601;survey10_motivation;2025-26;3,10
kommune;4601;4601;survey10_motivation;2026-27;3,30
kommune;4601;4601;survey10_motivation;2027-28;3,45
kommune;4601;4601;survey10_bullying;2027-28;5,0
kommune;1103;1103;survey7_motivation;2025-26;*
kommune;1103;1103;survey7_motivation;2026-27;*
kommune;1103;1103;survey7_motivation;2027-28;*
kommune;0301;0301;grunnskolepoeng;2027-28;45,0
"""

#: The cohort's owners as the record store names them, with Stavanger.
OWNERS = [("1103", "Stavanger"), ("3301", "Drammen"), ("3303", "Kongsberg"), ("4601", "Bergen")]

#: Each owner's (points, possible) at selection and now, by hand (the module's docstring); None: no value.
BY_HAND: dict[str, tuple[tuple[float, float] | None, tuple[float, float] | None, str]] = {
    "3301": ((13, 33), (4, 33), "better"),
    "3303": ((3, 18), (2, 15), "unchanged"),
    "4601": ((1, 9), (5, 12), "worse"),
    "1103": ((4, 9), None, "cannot_tell"),
}

#: Stavanger's period in cohort 2027, beside the three of `tests.readmodel.rows`.
STAVANGER = Period(
    "1103",
    "Stavanger",
    "11",
    ["c.berg"],
    "mapping",
    date(2027, 1, 4),
    end_of_day(date(2027, 5, 3), ZONE),
)
