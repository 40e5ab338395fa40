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
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

SEED = 20260901
APPLICATION_COUNT = 300
PLACES_COUNT = 25

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

# ---------------------------------------------------------------------------------------------
# IIN
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Names (synthetic combinations of common given names and surnames)
# ---------------------------------------------------------------------------------------------

KZ_BOYS = [
    "Нұрислам", "Әлихан", "Алдияр", "Әмір", "Нұрсұлтан", "Ерасыл", "Айсұлтан", "Алинұр",
    "Мирас", "Ихсан", "Райымбек", "Айбар", "Темірлан", "Санжар", "Бекарыс", "Әли", "Омар",
    "Нұрәли", "Ернұр", "Арсен", "Әмірхан", "Жігер", "Данияр", "Мұхаммед", "Ахмед",
]
KZ_GIRLS = [
    "Айару", "Аяла", "Інжу", "Медина", "Томирис", "Айша", "Әмина", "Аружан", "Асылым",
    "Дильназ", "Жансая", "Раяна", "Сафия", "Айлин", "Нұрай", "Айым", "Ақниет", "Айзере",
    "Ханшайым", "Әсем", "Іңкәр", "Зере",
]
# Adult men's names; all end in a consonant, so the surname made from one is name + "ов".
KZ_MEN = [
    "Серік", "Асқар", "Ерлан", "Нұрлан", "Қайрат", "Бауыржан", "Ержан", "Талғат", "Мұрат",
    "Ғалым", "Дәурен", "Жанат", "Марат", "Нұржан", "Әділ", "Ермек", "Азамат", "Бекзат",
    "Ерболат", "Самат", "Арман", "Дархан", "Руслан", "Есен", "Қанат", "Мақсат", "Бақытжан",
    "Ерғали", "Ернар", "Олжас", "Дамир", "Айдос", "Нұрболат",
]
KZ_WOMEN = [
    "Гүлнар", "Айгүл", "Динара", "Жанар", "Әсел", "Сәуле", "Мөлдір", "Айжан", "Балжан",
    "Назерке", "Ақмарал", "Гүлжан", "Дана", "Аида", "Арайлым", "Ботагөз", "Салтанат",
    "Айнұр", "Лаура", "Әйгерім", "Шынар", "Меруерт", "Жадыра", "Индира", "Камила",
]
# Male forms; the female form adds "а".
KZ_SURNAMES = [
    "Ахметов", "Жұмабаев", "Сейітов", "Омаров", "Ысқақов", "Байжанов", "Тоқтаров", "Құрманов",
    "Әбенов", "Мұхамеджанов", "Сәрсенбаев", "Қасымов", "Жақсылықов", "Төлеуов", "Оспанов",
    "Бекмұханов", "Ибраев", "Нұрмағамбетов", "Есенов", "Шәкенов", "Абдрахманов", "Кенжебаев",
    "Ермеков", "Сұлтанов", "Әлімжанов", "Бейсенов", "Дүйсенов", "Қалиев", "Смағұлов", "Мұқанов",
]

RU_BOYS = [
    "Артём", "Максим", "Александр", "Михаил", "Матвей", "Тимофей", "Даниил", "Кирилл", "Иван",
    "Лев", "Марк", "Егор", "Никита", "Илья", "Роман", "Арсений", "Глеб",
]
RU_GIRLS = [
    "Анна", "София", "Мария", "Алиса", "Ева", "Виктория", "Полина", "Варвара", "Вероника",
    "Милана", "Дарья", "Ксения", "Алёна", "Василиса", "Ульяна",
]
# Man's name -> (son's patronymic, daughter's patronymic).
RU_MEN = {
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Александр": ("Александрович", "Александровна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Николай": ("Николаевич", "Николаевна"),
    "Владимир": ("Владимирович", "Владимировна"),
    "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Олег": ("Олегович", "Олеговна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Павел": ("Павлович", "Павловна"),
    "Максим": ("Максимович", "Максимовна"),
    "Денис": ("Денисович", "Денисовна"),
    "Роман": ("Романович", "Романовна"),
    "Антон": ("Антонович", "Антоновна"),
    "Иван": ("Иванович", "Ивановна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
    "Вячеслав": ("Вячеславович", "Вячеславовна"),
    "Константин": ("Константинович", "Константиновна"),
    "Артём": ("Артёмович", "Артёмовна"),
}
RU_MEN_NAMES = list(RU_MEN)
RU_WOMEN = [
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Анастасия", "Екатерина", "Юлия",
    "Светлана", "Марина", "Оксана", "Кристина", "Алина", "Евгения", "Виктория", "Дарья",
]
# (male form, female form): Russian, Ukrainian, German and Tatar surnames common in the region.
RU_SURNAMES = [
    ("Иванов", "Иванова"), ("Петров", "Петрова"), ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"), ("Попов", "Попова"), ("Васильев", "Васильева"),
    ("Соколов", "Соколова"), ("Морозов", "Морозова"), ("Новиков", "Новикова"),
    ("Волков", "Волкова"), ("Лебедев", "Лебедева"), ("Козлов", "Козлова"),
    ("Степанов", "Степанова"), ("Никитин", "Никитина"), ("Орлов", "Орлова"),
    ("Захаров", "Захарова"), ("Белов", "Белова"), ("Фёдоров", "Фёдорова"),
    ("Макаров", "Макарова"), ("Гончаров", "Гончарова"), ("Ковальский", "Ковальская"),
    ("Коваленко", "Коваленко"), ("Бондаренко", "Бондаренко"), ("Шевченко", "Шевченко"),
    ("Шмидт", "Шмидт"), ("Вебер", "Вебер"), ("Майер", "Майер"),
    ("Хабибуллин", "Хабибуллина"), ("Сафин", "Сафина"),
]

TRANSLIT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(c, c) for c in text.lower())


class Person:
    def __init__(self, surname: str, given: str, patronymic: str, male: bool):
        self.surname, self.given, self.patronymic, self.male = surname, given, patronymic, male

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.surname, self.given, self.patronymic) if p)


def kz_female(surname_m: str) -> str:
    return surname_m + "а"


def kz_adult(rng: random.Random, male: bool, surname_m: str | None = None,
             given: str | None = None) -> Person:
    surname_m = surname_m or rng.choice(KZ_SURNAMES)
    father = rng.choice(KZ_MEN)
    if male:
        return Person(surname_m, given or rng.choice(KZ_MEN), father + "ұлы", True)
    return Person(kz_female(surname_m), given or rng.choice(KZ_WOMEN), father + "қызы", False)


def ru_adult(rng: random.Random, male: bool, surnames: tuple[str, str] | None = None,
             given: str | None = None) -> Person:
    surname_m, surname_f = surnames or rng.choice(RU_SURNAMES)
    son, daughter = RU_MEN[rng.choice(RU_MEN_NAMES)]
    if male:
        return Person(surname_m, given or rng.choice(RU_MEN_NAMES), son, True)
    return Person(surname_f, given or rng.choice(RU_WOMEN), daughter, False)


class Family:
    """A child's name and the names of the adults who may apply for them."""

    def __init__(self, rng: random.Random, male_child: bool):
        self.kazakh = rng.random() < 0.68
        if self.kazakh:
            grandfather = rng.choice(KZ_MEN)
            father_name = rng.choice([m for m in KZ_MEN if m != grandfather])
            if rng.random() < 0.4:
                # Newer style: the child's surname is made from the grandfather's name.
                child_surname = grandfather + ("ұлы" if male_child else "қызы")
                family_m = grandfather + "ов"
            else:
                family_m = rng.choice(KZ_SURNAMES)
                child_surname = family_m if male_child else kz_female(family_m)
            given = rng.choice(KZ_BOYS if male_child else KZ_GIRLS)
            patronymic = father_name + ("ұлы" if male_child else "қызы")
            self.child = Person(child_surname, given, patronymic, male_child)
            self.father = Person(family_m, father_name, grandfather + "ұлы", True)
            self.mother = kz_adult(rng, False, family_m if rng.random() < 0.5 else None)
            self.grandfather = kz_adult(rng, True, family_m, grandfather)
            self.grandmother = kz_adult(rng, False, family_m)
        else:
            surnames = rng.choice(RU_SURNAMES)
            grandfather = rng.choice(RU_MEN_NAMES)
            father_name = rng.choice([m for m in RU_MEN_NAMES if m != grandfather])
            son, daughter = RU_MEN[father_name]
            given = rng.choice(RU_BOYS if male_child else RU_GIRLS)
            self.child = Person(surnames[0] if male_child else surnames[1], given,
                                son if male_child else daughter, male_child)
            self.father = Person(surnames[0], father_name, RU_MEN[grandfather][0], True)
            self.mother = ru_adult(rng, False, surnames if rng.random() < 0.8 else None)
            self.grandfather = ru_adult(rng, True, surnames, grandfather)
            self.grandmother = ru_adult(rng, False, surnames)

    def outsider(self, rng: random.Random, male: bool) -> Person:
        """A guardian or other legal representative with a different surname."""
        while True:
            person = kz_adult(rng, male) if self.kazakh else ru_adult(rng, male)
            if person.surname not in (self.father.surname, self.mother.surname):
                return person


# ---------------------------------------------------------------------------------------------
# Places, addresses, contacts
# ---------------------------------------------------------------------------------------------

KOK_STREETS = [
    "ул. Абая", "ул. Ауэзова", "ул. Акана серэ", "ул. Валиханова", "ул. Горького",
    "ул. Кенесары", "ул. Ауельбекова", "ул. Куанышева", "ул. Сатпаева", "ул. Жамбыла",
    "ул. Пушкина", "ул. Байтурсынова", "ул. Мира",
]
KOK_MICRODISTRICTS = ["мкр. Центральный", "мкр. Васильковский", "мкр. Коктем", "мкр. Сарыарка"]
AKK_TOWN_STREETS = ["ул. Нурмагамбетова", "ул. Гагарина", "ул. Абая", "ул. Сейфуллина",
                    "ул. Пушкина", "ул. Мира", "ул. Элеваторная"]
AKK_VILLAGES = ["с. Новорыбинка", "с. Наумовка", "с. Урюпинка", "с. Азат"]
ZER_VILLAGES = ["с. Зеренда", "с. Зеренда", "с. Садовое", "с. Приречное", "с. Чаглинка"]
VILLAGE_STREETS = ["ул. Абая", "ул. Центральная", "ул. Школьная", "ул. Степная", "ул. Садовая",
                   "ул. Бейбітшілік", "ул. Молодёжная"]

MOBILE_CODES = ["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"]
EMAIL_DOMAINS = ["mail.ru", "gmail.com", "mail.kz", "inbox.ru", "yandex.kz"]


def address(rng: random.Random, district: str) -> str:
    house = rng.randint(1, 140)
    if district == "KOK":
        if rng.random() < 0.45:
            return f"г. Кокшетау, {rng.choice(KOK_MICRODISTRICTS)}, д. {rng.randint(1, 60)}, кв. {rng.randint(1, 120)}"
        if rng.random() < 0.5:
            return f"г. Кокшетау, {rng.choice(KOK_STREETS)}, д. {house}, кв. {rng.randint(1, 80)}"
        return f"г. Кокшетау, {rng.choice(KOK_STREETS)}, д. {house}"
    if district == "AKK":
        if rng.random() < 0.6:
            return f"Аккольский район, г. Акколь, {rng.choice(AKK_TOWN_STREETS)}, д. {house}"
        return f"Аккольский район, {rng.choice(AKK_VILLAGES)}, {rng.choice(VILLAGE_STREETS)}, д. {rng.randint(1, 60)}"
    if district == "ZER":
        return f"Зерендинский район, {rng.choice(ZER_VILLAGES)}, {rng.choice(VILLAGE_STREETS)}, д. {rng.randint(1, 80)}"
    raise ValueError(district)


def phone(rng: random.Random) -> str:
    n = rng.randrange(10_000_000)
    s = f"{n:07d}"
    return f"+7 {rng.choice(MOBILE_CODES)} {s[0:3]} {s[3:5]} {s[5:7]}"


def email(rng: random.Random, person: Person, born: dt.date) -> str:
    user = f"{translit(person.given)}.{translit(person.surname)}"
    if rng.random() < 0.5:
        user += f"{born:%y}"
    return f"{user}@{rng.choice(EMAIL_DOMAINS)}"


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
# Validation
# ---------------------------------------------------------------------------------------------


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
