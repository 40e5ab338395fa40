"""The check of the generated demo data against the reference files (districts.json,
categories.json, queue-types.json, demo/kindergartens.json) and the rules the data must keep;
the generator stops rather than write data that breaks one.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from demo_iin import parse_iin
from demo_spec import (ADULT_BIRTH_FIRST, ADULT_BIRTH_LAST, AT_FIRST, AT_LAST, CHILD_BIRTH_FIRST,
                       CHILD_BIRTH_LAST, DATA_DIR, DEMO_DIR, DEMO_DISTRICTS, OFFSET)


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def parse_instant(text: str) -> dt.datetime:
    if len(text) != 25 or not text.endswith(OFFSET) or text[10] != "T":
        raise ValueError(f"instant not in YYYY-MM-DDTHH:MM:SS+05:00 form: {text!r}")
    return dt.datetime.fromisoformat(text)


def validate(applications: list[dict], places: list[dict]) -> None:
    districts = {d["code"] for d in load(DATA_DIR / "districts.json")}
    categories = {c["code"]: c["right"] for c in load(DATA_DIR / "categories.json")}
    queue_types = {q["code"] for q in load(DATA_DIR / "queue-types.json")}
    kindergartens = {k["id"]: k for k in load(DEMO_DIR / "kindergartens.json")}
    errors: list[str] = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            errors.append(message)

    for kg in kindergartens.values():
        check(kg["district"] in districts, f"{kg['id']}: unknown district")
        check(kg["queueType"] in queue_types, f"{kg['id']}: unknown queue type")
        check(kg["languages"] and set(kg["languages"]) <= {"kk", "ru", "en"}, f"{kg['id']}: languages")

    child_iins: set[str] = set()
    adult_iins: set[str] = set()
    previous = ""
    for n, record in enumerate(applications, 1):
        at_text, a = record["at"], record["application"]
        where = f"application line {n}"
        at = parse_instant(at_text)
        check(at_text >= previous, f"{where}: not sorted by at")
        previous = at_text
        check("id" not in a, f"{where}: has an id")
        check(a["district"] in DEMO_DISTRICTS, f"{where}: district {a['district']}")
        check(a["queueType"] in queue_types, f"{where}: queue type")
        born_iin, male = parse_iin(a["childIin"])
        check(a["childIin"] not in child_iins, f"{where}: duplicate child IIN")
        child_iins.add(a["childIin"])
        birth = dt.date.fromisoformat(a["birthDate"])
        for d in (birth, born_iin):
            check(CHILD_BIRTH_FIRST <= d <= CHILD_BIRTH_LAST, f"{where}: child born {d}")
        check(abs((birth - born_iin).days) <= 5, f"{where}: birth date too far from the IIN's")
        check(AT_FIRST <= at.date() <= AT_LAST, f"{where}: at {at_text} out of range")
        check(at.date() > max(birth, born_iin), f"{where}: at is not after the birth")
        parts = a["childName"].split()
        check(len(parts) == 3, f"{where}: child name {a['childName']!r}")
        female_markers = ("қызы", "вна", "чна")
        check(parts[-1].endswith(female_markers) != male, f"{where}: name does not match IIN sex")

        ap = a["applicant"]
        adult_born, adult_male = parse_iin(ap["iin"])
        check(ADULT_BIRTH_FIRST <= adult_born <= ADULT_BIRTH_LAST, f"{where}: applicant born {adult_born}")
        check(ap["iin"] not in adult_iins, f"{where}: duplicate applicant IIN")
        adult_iins.add(ap["iin"])
        check(ap["kinship"] in {"mother", "father", "guardian", "grandparent", "other"}, f"{where}: kinship")
        if ap["kinship"] == "mother":
            check(not adult_male, f"{where}: mother with a male IIN")
        if ap["kinship"] == "father":
            check(adult_male, f"{where}: father with a female IIN")
        check(ap["name"].split()[-1].endswith(female_markers) != adult_male,
              f"{where}: applicant name does not match IIN sex")
        check(len(ap["phone"]) == 16 and ap["phone"].startswith("+7 7"), f"{where}: phone {ap['phone']}")
        check(a["residence"]["kind"] in {"permanent", "temporary"}, f"{where}: residence kind")
        check(bool(a["residence"]["address"]), f"{where}: residence address")
        check(bool(a["nonResident"]) == bool(a.get("nonResidentDocuments")), f"{where}: non-resident documents")
        for doc in a.get("nonResidentDocuments", []) + [a.get("rightDocument") or ""]:
            if " от " in doc:
                issued = dt.date.fromisoformat(doc.rsplit(" от ", 1)[1])
                check(issued <= at.date(), f"{where}: document issued after the registration")
                if doc in a.get("nonResidentDocuments", []):
                    check(issued > birth, f"{where}: residence permit issued before the birth")

        right = a["right"]
        check(right in {"none", "first", "extraordinary"}, f"{where}: right")
        if right == "none":
            check("rightCategory" not in a and "rightDocument" not in a, f"{where}: category without a right")
        else:
            check(categories.get(a.get("rightCategory")) == right, f"{where}: category does not match right")
            check(bool(a.get("rightDocument")), f"{where}: right without a document")

        if a["queueType"] != "general":
            check(any(k["district"] == a["district"] and k["queueType"] == a["queueType"]
                      for k in kindergartens.values()), f"{where}: no kindergarten for this queue")

    previous = ""
    for n, record in enumerate(places, 1):
        where = f"places line {n}"
        at_text, p = record["at"], record["places"]
        at = parse_instant(at_text)
        check(at_text >= previous, f"{where}: not sorted by at")
        previous = at_text
        check(at.year == 2026, f"{where}: not in 2026")
        check("id" not in p, f"{where}: has an id")
        kg = kindergartens.get(p["kindergarten"])
        check(kg is not None, f"{where}: unknown kindergarten")
        if kg is not None:
            check(p["language"] in kg["languages"], f"{where}: language not offered")
        check(2021 <= p["groupYear"] <= 2024, f"{where}: group year")
        check(1 <= p["count"] <= 10, f"{where}: count")

    if errors:
        raise SystemExit("demo data invalid:\n  " + "\n  ".join(errors))
