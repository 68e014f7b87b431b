"""Keys measured on spellings seen in real lists and press, not produced by our transliterator:
true variants should share a key, different names should not."""

from __future__ import annotations

import itertools

from kintrace.linkage.names.keys import name_key, phonetic_key

# One group per person-name; every spelling in a group names the same Cyrillic original (the first).
# Compiled for these tests from general knowledge of how these names appear in passports, Western
# press (English, German), library catalogues and scholarly works.
VARIANT_GROUPS: list[list[str]] = [
    ["Щербаков", "Shcherbakov", "Scherbakov", "Ščerbakov", "Schtscherbakow", "Shherbakov", "Sherbakov"],
    ["Горбачёв", "Gorbachev", "Gorbachov", "Gorbachyov", "Gorbatschow", "Gorbačëv", "Gorbachëv"],
    ["Чайковский", "Tchaikovsky", "Chaikovskii", "Tschaikowski", "Čajkovskij", "Chaykovskiy", "Chaikovsky"],
    ["Достоевский", "Dostoevsky", "Dostoyevsky", "Dostoevskii", "Dostojewski", "Dostoevskij"],
    ["Зайцев", "Zaitsev", "Zaytsev", "Zajcev", "Saizew", "Zaitzev"],
    ["Соловьёв", "Solovyov", "Solovyev", "Solovev", "Solowjow", "Solov'ev", "Solovjov", "Soloviev"],
    ["Кузнецов", "Kuznetsov", "Kuznecov", "Kusnezow", "Kuznetzov", "Kouznetsov"],
    ["Ткаченко", "Tkachenko", "Tkačenko", "Tkatschenko", "Tkatchenko"],
    ["Ковальчук", "Kovalchuk", "Koval'chuk", "Kowaltschuk", "Koval`chuk", "Kovalčuk"],
    ["Юрий", "Yuri", "Yuriy", "Iurii", "Jurij", "Juri", "Yury", "Yurij"],
    ["Сергей", "Sergey", "Sergei", "Sergej", "Sergeï"],
    ["Алексей", "Aleksei", "Alexey", "Aleksey", "Alexei", "Alexej", "Aleksej"],
    ["Евгений", "Evgeny", "Yevgeny", "Evgenii", "Yevgeniy", "Jewgeni", "Evgenij", "Evgeniy"],
    ["Дмитрий", "Dmitry", "Dmitri", "Dmitrii", "Dmitriy", "Dmitrij"],
    ["Фёдор", "Fedor", "Fyodor", "Fjodor", "Fëdor", "Fiodor"],
    ["Пётр", "Petr", "Pyotr", "Piotr", "Pjotr"],
    ["Наталья", "Natalya", "Natalia", "Natal'ya", "Natalja", "Natal'ja", "Nataliya"],
    ["Татьяна", "Tatyana", "Tatiana", "Tat'yana", "Tatjana", "Tat'jana"],
    ["Шевченко", "Shevchenko", "Ševčenko", "Schewtschenko", "Shevtchenko"],
    ["Жуков", "Zhukov", "Žukov", "Schukow", "Zhukoff"],
    ["Васильев", "Vasilyev", "Vasiliev", "Vasil'ev", "Wassiljew", "Vassiliev", "Vasilev"],
    ["Григорьев", "Grigoryev", "Grigoriev", "Grigor'ev", "Grigorjew", "Grigorev"],
    ["Воробьёв", "Vorobyov", "Vorobiev", "Vorob'ev", "Vorobjow", "Vorobyev", "Vorobiov"],
    ["Хабаров", "Khabarov", "Habarov", "Chabarow", "Kabarov"],
    ["Цветков", "Tsvetkov", "Cvetkov", "Zwetkow", "Tsvetkoff"],
    ["Яковлев", "Yakovlev", "Iakovlev", "Jakowlew", "Jakovlev"],
    ["Щукин", "Shchukin", "Schukin", "Ščukin", "Schtschukin"],
    ["Чернов", "Chernov", "Černov", "Tschernow", "Tchernov"],
    ["Михайлов", "Mikhailov", "Mikhaylov", "Michajlow", "Mihajlov", "Mixajlov"],
    ["Ильин", "Ilyin", "Ilin", "Il'in", "Iljin"],
    ["Ефимов", "Efimov", "Yefimov", "Jefimow"],
    ["Ёлкин", "Yolkin", "Elkin", "Jolkin", "Ëlkin"],
    ["Объедков", "Obyedkov", "Obedkov", "Ob'edkov", "Objedkow", "Obieedkov"],
    ["Гончаренко", "Honcharenko", "Goncharenko", "Hontscharenko"],
    ["Хмельницький", "Khmelnytskyi", "Khmelnytsky", "Chmelnyzkyj", "Hmel'nic'kij"],
    ["Андрей", "Andrei", "Andrey", "Andrej"],
    ["Николаев", "Nikolaev", "Nikolayev", "Nikolajew", "Nicolaev"],
    ["Александров", "Aleksandrov", "Alexandrov", "Alexandrow"],
    ["Мария", "Maria", "Mariya", "Mariia", "Marija"],
    ["Ксения", "Ksenia", "Kseniya", "Xenia", "Kseniia"],
]  # fmt: skip


def _within_rate(key: object) -> float:
    agree = total = 0
    for group in VARIANT_GROUPS:
        for a, b in itertools.combinations(group, 2):
            total += 1
            agree += key(a) == key(b)  # type: ignore[operator]
    return agree / total


def _between_rate(key: object) -> float:
    collide = total = 0
    for ga, gb in itertools.combinations(VARIANT_GROUPS, 2):
        for a in ga:
            for b in gb:
                total += 1
                collide += key(a) == key(b)  # type: ignore[operator]
    return collide / total


def test_true_variants_share_keys() -> None:
    nk, pk = _within_rate(name_key), _within_rate(phonetic_key)
    print(f"variant pairs sharing the key: name_key {nk:.4f}, phonetic_key {pk:.4f}")
    assert nk >= 0.93
    assert pk >= 0.96


def test_different_names_do_not_share_keys() -> None:
    nk, pk = _between_rate(name_key), _between_rate(phonetic_key)
    print(f"different-name pairs sharing the key: name_key {nk:.5f}, phonetic_key {pk:.5f}")
    assert nk == 0.0
    assert pk <= 0.001
