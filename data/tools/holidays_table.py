#!/usr/bin/env python3
"""Print the days off of Kazakhstan per year, as the `holidays` package (PyPI) gives them.

This is the independent reference the rules' calendar (data/calendar.json) is checked against:
`rules/tests/holidays_table.rs` compares the two day by day and counts working days from this
table. The output is checked in as data/holidays-kz.json; see data/README.md for the command.

    python data/tools/holidays_table.py > data/holidays-kz.json   # regenerate
    python data/tools/holidays_table.py --check                   # exit 1 if the file differs

Needs `holidays` (the version pinned in PACKAGE_VERSION), e.g. from the venv that
scripts/bootstrap.sh makes: $HOME/.local/share/kezek/tools-venv/bin/python.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

PACKAGE_VERSION = "0.109"
FIRST_YEAR = 2025
LAST_YEAR = 2030
TABLE_PATH = Path(__file__).resolve().parent.parent / "holidays-kz.json"


def table() -> str:
    import holidays

    if holidays.__version__ != PACKAGE_VERSION:
        sys.exit(f"holidays_table.py: holidays {holidays.__version__} installed, {PACKAGE_VERSION} expected")
    lines = [
        "{",
        '  "generator": "data/tools/holidays_table.py",',
        f'  "package": "holidays {holidays.__version__}",',
        '  "country": "KZ",',
        '  "note": "Every date the package lists for the year (English names), weekends included. '
        'A working day is Monday to Friday not listed here.",',
        '  "years": [',
    ]
    years = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        # Public holidays with the package's "observed" (moved off the weekend) days and
        # its substituted days (government transfers it knows of).
        days = holidays.country_holidays("KZ", years=year, language="en_US")
        entries = sorted(days.items())
        weekdays = 0
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day.weekday() < 5 and day not in days:
                weekdays += 1
            day += dt.timedelta(days=1)
        rows = [
            "        " + json.dumps({"date": d.isoformat(), "name": name}, ensure_ascii=False)
            for d, name in entries
        ]
        years.append(
            "\n".join(
                [
                    "    {",
                    f'      "year": {year},',
                    f'      "workingDays": {weekdays},',
                    '      "daysOff": [',
                    ",\n".join(rows),
                    "      ]",
                    "    }",
                ]
            )
        )
    lines.append(",\n".join(years))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {TABLE_PATH.name} differs")
    args = parser.parse_args()
    text = table()
    if args.check:
        if TABLE_PATH.read_text(encoding="utf-8") != text:
            sys.exit(f"{TABLE_PATH} is not what holidays_table.py prints: regenerate it")
        print(f"{TABLE_PATH.name} is up to date")
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
