"""Synthetic people for the demo data: common Kazakh and Russian given names and surnames
combined at random into a child's family (parents, grandparents, outsiders).
"""

from __future__ import annotations

import random


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
