#!/usr/bin/env python3
"""Generate Kezek's synthetic demo data: data/demo/applications.jsonl and data/demo/places.jsonl.

Python 3 standard library only. The generator is seeded, so running it again rewrites both
files byte for byte. Every person, name, IIN, phone number, e-mail and address it produces is
synthetic; the IINs are made valid by construction and checked again before anything is written.

    python3 data/tools/generate_demo.py           # (re)write the two .jsonl files
    python3 data/tools/generate_demo.py --check   # exit 1 if the files on disk differ

The script also checks its output against the reference files (districts.json,
categories.json, queue-types.json, demo/kindergartens.json) and stops with an error
rather than write data that breaks a rule.

The parts: demo_spec.py (files, districts, date ranges), demo_iin.py (the IIN rule),
demo_people.py (names and families), demo_contacts.py (addresses, phones, e-mails),
demo_validate.py (the check of the output); this file draws the records and writes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys

from demo_contacts import address, email, phone
from demo_iin import make_iin, self_test
from demo_people import Family
from demo_spec import (ADULT_BIRTH_FIRST, ADULT_BIRTH_LAST, APPLICATIONS_PATH, AT_FIRST, AT_LAST,
                       CHILD_BIRTH_FIRST, CHILD_BIRTH_LAST, DATA_DIR, DEMO_DIR, DEMO_DISTRICTS, OFFSET,
                       PLACES_FIRST, PLACES_LAST, PLACES_PATH)
from demo_validate import load, validate

SEED = 20260901
APPLICATION_COUNT = 300
PLACES_COUNT = 25


# ---------------------------------------------------------------------------------------------
# Privileges
# ---------------------------------------------------------------------------------------------

CATEGORY_WEIGHTS = {
    "extraordinary": {"MILITARY": 55, "SPECIAL_STATE_BODY": 30, "FALLEN_ON_DUTY": 15},
    "first": {
        "LARGE_FAMILY": 45, "PARENT_DISABILITY": 12, "SPECIAL_NEEDS": 10, "TEACHER": 10,
        "CHILD_DISABILITY": 8, "NO_PARENTAL_CARE": 6, "DISABLED_CHILD_FAMILY": 5, "ORPHAN": 4,
    },
}
DOCUMENT_KIND = {
    "MILITARY": "Справка с места службы",
    "SPECIAL_STATE_BODY": "Справка с места службы",
    "FALLEN_ON_DUTY": "Справка о гибели (смерти) при прохождении службы",
    "PARENT_DISABILITY": "Справка об инвалидности",
    "ORPHAN": "Решение органа опеки и попечительства",
    "NO_PARENTAL_CARE": "Решение органа опеки и попечительства",
    "LARGE_FAMILY": "Справка о многодетной семье",
    "SPECIAL_NEEDS": "Заключение ПМПК",
    "CHILD_DISABILITY": "Справка об инвалидности ребёнка",
    "DISABLED_CHILD_FAMILY": "Справка об инвалидности ребёнка",
    "TEACHER": "Справка с места работы педагога",
}


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    total = sum(weights.values())
    x = rng.random() * total
    for key, weight in weights.items():
        x -= weight
        if x < 0:
            return key
    return key


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


def random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def instant(rng: random.Random, day: dt.date) -> str:
    return f"{day.isoformat()}T{rng.randint(9, 17):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}{OFFSET}"


def next_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def registration_day(rng: random.Random, after: dt.date) -> dt.date:
    """A weekday some time after `after`, within [AT_FIRST, AT_LAST]."""
    r = rng.random()
    if r < 0.7:
        delay = rng.randint(3, 120)
    elif r < 0.9:
        delay = rng.randint(121, 500)
    else:
        delay = rng.randint(501, 1500)
    day = after + dt.timedelta(days=delay)
    if day < AT_FIRST:
        day = AT_FIRST + dt.timedelta(days=rng.randint(1, 60))
    if day > AT_LAST:
        day = AT_LAST - dt.timedelta(days=rng.randint(0, 45))
        day = max(day, after + dt.timedelta(days=1))
    day = next_weekday(day)
    if day > AT_LAST:  # cannot happen while AT_LAST is a Friday, but keep the bound honest
        day -= dt.timedelta(days=3)
    return day


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


def generate_applications(rng: random.Random) -> list[dict]:
    child_iins: set[str] = set()
    adult_iins: set[str] = set()
    seen_at: set[str] = set()
    records = []
    for index in range(APPLICATION_COUNT):
        # Queue type first: special kindergartens exist in Kokshetau, the sanatorium one in Zerendi.
        q = rng.random()
        if q < 0.90:
            queue_type = "general"
            district = weighted(rng, DEMO_DISTRICTS)
        elif q < 0.94:
            queue_type, district = "special_correctional", "KOK"
        elif q < 0.97:
            queue_type, district = "special", "KOK"
        else:
            queue_type, district = "sanatorium", "ZER"

        male_child = rng.random() < 0.5
        iin_date = random_date(rng, CHILD_BIRTH_FIRST, CHILD_BIRTH_LAST)
        birth_date = iin_date
        if index % 20 == 7:  # 5%: the real birth date differs from the IIN's by a few days
            delta = rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])
            candidate = iin_date + dt.timedelta(days=delta)
            if not CHILD_BIRTH_FIRST <= candidate <= CHILD_BIRTH_LAST:
                candidate = iin_date - dt.timedelta(days=delta)
            birth_date = candidate
        child_iin = make_iin(rng, iin_date, male_child, child_iins)
        family = Family(rng, male_child)

        r = rng.random()
        right = "extraordinary" if r < 0.05 else "first" if r < 0.20 else "none"
        category = weighted(rng, CATEGORY_WEIGHTS[right]) if right != "none" else None

        if category in ("ORPHAN", "NO_PARENTAL_CARE"):
            kinship = "guardian" if rng.random() < 0.75 else "grandparent"
        elif category == "FALLEN_ON_DUTY":
            kinship = "mother" if rng.random() < 0.8 else "grandparent"
        elif category in ("MILITARY", "SPECIAL_STATE_BODY", "TEACHER"):
            kinship = "father" if rng.random() < 0.55 else "mother"
        else:
            kinship = weighted(rng, {"mother": 60, "father": 25, "grandparent": 6,
                                     "guardian": 5, "other": 4})
        if kinship == "mother":
            applicant = family.mother
        elif kinship == "father":
            applicant = family.father
        elif kinship == "grandparent":
            applicant = family.grandmother if rng.random() < 0.7 else family.grandfather
        else:
            applicant = family.outsider(rng, rng.random() < 0.4)

        child_born = min(iin_date, birth_date)
        if kinship == "grandparent":
            adult_last = min(dt.date(1984, 12, 31), years_before(child_born, 36))
        else:
            adult_last = min(ADULT_BIRTH_LAST, years_before(child_born, 18))
        adult_born = random_date(rng, ADULT_BIRTH_FIRST, adult_last)
        applicant_iin = make_iin(rng, adult_born, applicant.male, adult_iins)

        day = registration_day(rng, max(iin_date, birth_date))
        at = instant(rng, day)
        while at in seen_at:
            at = instant(rng, day)
        seen_at.add(at)

        non_resident = rng.random() < 0.03
        residence_kind = "temporary" if non_resident or rng.random() < 0.15 else "permanent"

        contact = {
            "iin": applicant_iin,
            "name": applicant.full,
            "kinship": kinship,
            "phone": phone(rng),
        }
        if rng.random() < 0.35:
            contact["email"] = email(rng, applicant, adult_born)

        application = {
            "district": district,
            "queueType": queue_type,
            "childIin": child_iin,
            "childName": family.child.full,
            "birthDate": birth_date.isoformat(),
            "applicant": contact,
            "residence": {"kind": residence_kind, "address": address(rng, district)},
            "nonResident": non_resident,
        }
        if non_resident:
            # Issued after the child's birth and before the registration.
            doc_day = random_date(rng, max(child_born, day - dt.timedelta(days=700)) + dt.timedelta(days=1),
                                  day - dt.timedelta(days=1))
            kind = rng.choice(["Вид на жительство иностранца", "Вид на жительство лица без гражданства"])
            application["nonResidentDocuments"] = [f"{kind} № {rng.randrange(10**9):09d} от {doc_day.isoformat()}"]
        application["right"] = right
        if category is not None:
            doc_day = max(day - dt.timedelta(days=rng.randint(1, 28)), child_born + dt.timedelta(days=1))
            application["rightCategory"] = category
            application["rightDocument"] = f"{DOCUMENT_KIND[category]} № {rng.randint(12, 9999)} от {doc_day.isoformat()}"
        records.append({"at": at, "application": application})

    records.sort(key=lambda r: (r["at"], r["application"]["childIin"]))
    return records


def generate_places(rng: random.Random, kindergartens: list[dict]) -> list[dict]:
    weights = {kg["id"]: (4 if kg["queueType"] == "general" else 1) for kg in kindergartens}
    by_id = {kg["id"]: kg for kg in kindergartens}
    seen_at: set[str] = set()
    records = []
    order = [kg["id"] for kg in kindergartens]  # every kindergarten publishes at least once
    for n in range(PLACES_COUNT):
        kg = by_id[order[n] if n < len(order) else weighted(rng, weights)]
        day = next_weekday(random_date(rng, PLACES_FIRST, PLACES_LAST))
        at = instant(rng, day)
        while at in seen_at:
            at = instant(rng, day)
        seen_at.add(at)
        count = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 10])
        records.append({
            "at": at,
            "places": {
                "kindergarten": kg["id"],
                "language": rng.choice(kg["languages"]),
                "groupYear": rng.randint(2021, 2024),
                "count": count,
            },
        })
    records.sort(key=lambda r: (r["at"], r["places"]["kindergarten"]))
    return records


# ---------------------------------------------------------------------------------------------


def render(records: list[dict]) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing")
    args = parser.parse_args()

    self_test()
    rng = random.Random(SEED)
    applications = generate_applications(rng)
    places = generate_places(rng, load(DEMO_DIR / "kindergartens.json"))
    validate(applications, places)

    outputs = {APPLICATIONS_PATH: render(applications), PLACES_PATH: render(places)}
    if args.check:
        stale = [p for p, data in outputs.items() if not p.exists() or p.read_bytes() != data]
        for p in stale:
            print(f"{p.relative_to(DATA_DIR.parent)} differs from the generator's output", file=sys.stderr)
        return 1 if stale else 0
    for path, data in outputs.items():
        path.write_bytes(data)
    rights = {}
    for r in applications:
        rights[r["application"]["right"]] = rights.get(r["application"]["right"], 0) + 1
    print(f"wrote {len(applications)} applications {rights} and {len(places)} places records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
