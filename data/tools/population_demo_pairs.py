#!/usr/bin/env python3
"""Print the parent-child pairs of the demo population registry (JSON array) to stdout.

Python 3 standard library only. The pairs are every demo application's applicant and child
(data/demo/applications.jsonl), plus children registered nowhere (EXTRA below): a parent with
a second child, so that the parents' channel can link and register one online. Sign the
output with the demo key to make data/population-demo.json (see data/README.md):

    python3 data/tools/population_demo_pairs.py > /tmp/pairs.json
    kezek-center population sign --key-file data/population-demo.key \
        --issuer "Kezek demo population registry (demo data only)" \
        --issued-at 2026-09-01T09:00:00+05:00 --in /tmp/pairs.json --out data/population-demo.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_iin import iin_check_digit as check_digit  # noqa: E402  (the demo's one IIN encoder)

DATA_DIR = Path(__file__).resolve().parent.parent
APPLICATIONS = DATA_DIR / "demo" / "applications.jsonl"


def iin(yymmdd: str, century_sex: int, serial: int, taken: set[str]) -> str:
    """The first valid IIN from this serial on that no one else has."""
    while True:
        head = f"{yymmdd}{century_sex}{serial:04d}"
        check = check_digit(head)
        if check is not None and f"{head}{check}" not in taken:
            return f"{head}{check}"
        serial += 1


def main() -> int:
    pairs = []
    taken: set[str] = set()
    for line in APPLICATIONS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        app = json.loads(line)["application"]
        pair = {"parent": app["applicant"]["iin"], "child": app["childIin"], "kinship": app["applicant"]["kinship"]}
        taken.update((pair["parent"], pair["child"]))
        if pair not in pairs:
            pairs.append(pair)
    # A second child of the first two KOK applicants, registered nowhere (born 2023 and 2024).
    kok = [json.loads(l)["application"] for l in APPLICATIONS.read_text(encoding="utf-8").splitlines() if l.strip()]
    kok = [a for a in kok if a["district"] == "KOK"][:2]
    extra = [
        (kok[0]["applicant"], iin("230514", 6, 7001, taken)),
        (kok[1]["applicant"], iin("240302", 5, 7101, taken)),
    ]
    # A parent with no application at all and two children registered nowhere.
    new_parent = iin("900611", 4, 7201, taken)
    taken.add(new_parent)
    for applicant, child in extra:
        taken.add(child)
        pairs.append({"parent": applicant["iin"], "child": child, "kinship": applicant["kinship"]})
    for yymmdd, sex in (("220815", 5), ("241120", 6)):
        child = iin(yymmdd, sex, 7301, taken)
        taken.add(child)
        pairs.append({"parent": new_parent, "child": child, "kinship": "mother"})
    json.dump(pairs, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
