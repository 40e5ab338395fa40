"""The IIN rule for the demo data (DESIGN.md): check digits, valid IINs made by construction,
and parsing with every check, tested against hand-worked cases (`self_test`).

Also used by population_demo_pairs.py, so the demo has one IIN encoder.
"""

from __future__ import annotations

import datetime as dt
import random


WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def iin_check_digit(first11: str) -> int | None:
    """The 12th digit for the first 11, or None when both passes give 10 (no valid IIN)."""
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, WEIGHTS_1)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, WEIGHTS_2)) % 11
        if check == 10:
            return None
    return check


def century_digit(born: dt.date, male: bool) -> int:
    if 1800 <= born.year <= 1899:
        base = 1
    elif 1900 <= born.year <= 1999:
        base = 3
    elif 2000 <= born.year <= 2099:
        base = 5
    else:
        raise ValueError(f"no IIN century digit for {born}")
    return base if male else base + 1


def make_iin(rng: random.Random, born: dt.date, male: bool, taken: set[str]) -> str:
    """A valid IIN for this date and sex, with a random serial not yielding an invalid check."""
    head = f"{born:%y%m%d}{century_digit(born, male)}"
    while True:
        first11 = head + f"{rng.randrange(10000):04d}"
        check = iin_check_digit(first11)
        if check is None:
            continue  # this serial has no valid check digit: pick another one
        iin = first11 + str(check)
        if iin not in taken:
            taken.add(iin)
            return iin


def parse_iin(iin: str) -> tuple[dt.date, bool]:
    """Validate an IIN per DESIGN.md (format, date, checksum); return (date, is_male)."""
    if len(iin) != 12 or not all("0" <= c <= "9" for c in iin):
        raise ValueError(f"IIN_FORMAT: {iin!r}")
    century = int(iin[6])
    if not 1 <= century <= 6:
        raise ValueError(f"IIN_DATE (century digit): {iin}")
    year = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}[century] + int(iin[0:2])
    try:
        born = dt.date(year, int(iin[2:4]), int(iin[4:6]))
    except ValueError as err:
        raise ValueError(f"IIN_DATE: {iin}: {err}") from None
    if iin_check_digit(iin[:11]) != int(iin[11]):
        raise ValueError(f"IIN_CHECKSUM: {iin}")
    return born, century % 2 == 1


def self_test() -> None:
    """The IIN rule against hand-worked cases, so a bug in it cannot validate itself."""
    # 9501 01 3 0001 ?: 9*1+5*2+0*3+1*4+0*5+1*6+3*7+0*8+0*9+0*10+1*11 = 61, 61 % 11 = 6
    assert iin_check_digit("95010130001") == 6
    assert parse_iin("950101300016") == (dt.date(1995, 1, 1), True)
    for bad in ("95010130001", "9501013000160", "95010130001a", "950101300017", "950230300016",
                "950101700016"):
        try:
            parse_iin(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} should be rejected")
    # Serials whose first pass gives 10 must use the second weights; some have no check digit.
    second_pass = no_digit = 0
    for serial in range(10000):
        first11 = f"2203156{serial:04d}"
        digits = [int(c) for c in first11]
        if sum(d * w for d, w in zip(digits, WEIGHTS_1)) % 11 == 10:
            if iin_check_digit(first11) is None:
                no_digit += 1
            else:
                second_pass += 1
    assert second_pass > 0 and no_digit > 0
