"""Synthetic addresses (in the demo districts), mobile numbers and e-mail addresses."""

from __future__ import annotations

import datetime as dt
import random

from demo_people import Person, translit


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
