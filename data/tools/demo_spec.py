"""What the demo data is: its files, its districts and the ranges its dates lie in.

Shared by the generator (generate_demo.py) and the check of its output (demo_validate.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = DATA_DIR / "demo"
APPLICATIONS_PATH = DEMO_DIR / "applications.jsonl"
PLACES_PATH = DEMO_DIR / "places.jsonl"

OFFSET = "+05:00"
CHILD_BIRTH_FIRST = dt.date(2020, 9, 2)  # under 6 on 1 September 2026
CHILD_BIRTH_LAST = dt.date(2025, 12, 31)
AT_FIRST = dt.date(2021, 1, 1)
AT_LAST = dt.date(2026, 11, 20)
ADULT_BIRTH_FIRST = dt.date(1980, 1, 1)
ADULT_BIRTH_LAST = dt.date(2002, 12, 31)
PLACES_FIRST = dt.date(2026, 8, 3)
PLACES_LAST = dt.date(2026, 11, 13)

DEMO_DISTRICTS = {"KOK": 0.55, "AKK": 0.20, "ZER": 0.25}
