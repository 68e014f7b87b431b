"""Transliteration checked against each standard's own examples (and the defects found in libraries)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kintrace.linkage.names.translit import (
    STANDARDS,
    cyrillic_candidates,
    detect_lang,
    is_initial,
    transliterate,
)

# Ukrainian national system (Cabinet of Ministers resolution 55 of 27.01.2010): the examples printed in
# the resolution's own table, word-initial and medial forms included.
KMU_2010_EXAMPLES = [
    ("Алушта", "Alushta"), ("Андрій", "Andrii"), ("Борщагівка", "Borshchahivka"),
    ("Борисенко", "Borysenko"), ("Вінниця", "Vinnytsia"), ("Володимир", "Volodymyr"),
    ("Гадяч", "Hadiach"), ("Богдан", "Bohdan"), ("Згурський", "Zghurskyi"), ("Ґалаґан", "Galagan"),
    ("Ґорґани", "Gorgany"), ("Донецьк", "Donetsk"), ("Дмитро", "Dmytro"), ("Рівне", "Rivne"),
    ("Олег", "Oleh"), ("Есмань", "Esman"), ("Єнакієве", "Yenakiieve"), ("Гаєвич", "Haievych"),
    ("Короп'є", "Koropie"), ("Житомир", "Zhytomyr"), ("Жанна", "Zhanna"), ("Жежелів", "Zhezheliv"),
    ("Закарпаття", "Zakarpattia"), ("Казимирчук", "Kazymyrchuk"), ("Медвин", "Medvyn"),
    ("Михайленко", "Mykhailenko"), ("Іванків", "Ivankiv"), ("Іващенко", "Ivashchenko"),
    ("Їжакевич", "Yizhakevych"), ("Кадиївка", "Kadyivka"), ("Мар'їне", "Marine"),
    ("Йосипівка", "Yosypivka"), ("Стрий", "Stryi"), ("Олексій", "Oleksii"), ("Київ", "Kyiv"),
    ("Коваленко", "Kovalenko"), ("Лебедин", "Lebedyn"), ("Леонід", "Leonid"), ("Миколаїв", "Mykolaiv"),
    ("Маринич", "Marynych"), ("Ніжин", "Nizhyn"), ("Наталія", "Nataliia"), ("Одеса", "Odesa"),
    ("Онищенко", "Onyshchenko"), ("Полтава", "Poltava"), ("Петро", "Petro"),
    ("Решетилівка", "Reshetylivka"), ("Рибчинський", "Rybchynskyi"), ("Суми", "Sumy"),
    ("Соломія", "Solomiia"), ("Тернопіль", "Ternopil"), ("Троць", "Trots"), ("Ужгород", "Uzhhorod"),
    ("Уляна", "Uliana"), ("Фастів", "Fastiv"), ("Філіпчук", "Filipchuk"), ("Харків", "Kharkiv"),
    ("Христина", "Khrystyna"), ("Біла Церква", "Bila Tserkva"), ("Стеценко", "Stetsenko"),
    ("Чернівці", "Chernivtsi"), ("Шевченко", "Shevchenko"), ("Шостка", "Shostka"),
    ("Кишеньки", "Kyshenky"), ("Щербухи", "Shcherbukhy"), ("Гоща", "Hoshcha"),
    ("Гаращенко", "Harashchenko"), ("Юрій", "Yurii"), ("Корюківка", "Koriukivka"),
    ("Яготин", "Yahotyn"), ("Ярошенко", "Yaroshenko"), ("Костянтин", "Kostiantyn"),
    ("Знам'янка", "Znamianka"), ("Феодосія", "Feodosiia"), ("Розгон", "Rozghon"),
]  # fmt: skip


@pytest.mark.parametrize(("cyr", "lat"), KMU_2010_EXAMPLES)
def test_ua_2010_official_examples(cyr: str, lat: str) -> None:
    assert transliterate(cyr, "ua_2010") == lat


def test_ua_2010_word_initial_iotated_letters() -> None:
    # Є, Ї, Й, Ю, Я are Ye, Yi, Y, Yu, Ya at the start of a word and ie, i, i, iu, ia inside it.
    assert transliterate("Єва Гаєвич", "ua_2010") == "Yeva Haievych"
    assert transliterate("Їжак Київ", "ua_2010") == "Yizhak Kyiv"
    assert transliterate("Юрій Корюківка", "ua_2010") == "Yurii Koriukivka"
    assert transliterate("Ярема Гадяч", "ua_2010") == "Yarema Hadiach"


def test_ua_2010_apostrophe_dropped_with_any_apostrophe_character() -> None:
    for apostrophe in ("'", "\u2019", "\u02bc"):
        assert transliterate(f"Знам{apostrophe}янка", "ua_2010") == "Znamianka"


def test_ua_2010_of_russian_letters_uses_ukrainian_equivalents() -> None:
    # KMU 55 has no ы, э, ё, ъ: a Russian-spelled name is read with the Ukrainian letters for them.
    assert transliterate("Ёлкин", "ua_2010") == "Yolkyn"
    assert transliterate("Эдуард Рыбин Подъячев", "ua_2010") == "Eduard Rybyn Podiachev"


# ICAO Doc 9303 Part 3, Russian: the Doc gives a letter table, not sample names; these samples (from the
# iuliia schema description) were checked letter by letter against that table: ё->e, й->i, ъ->ie,
# ь omitted, ю->iu, я->ia, х->kh, ц->ts, щ->shch.
ICAO_RU_EXAMPLES = [
    ("Юлия Щеглова", "Iuliia Shcheglova"),
    ("Гайа Васильева", "Gaia Vasileva"),
    ("Андрей Видный", "Andrei Vidnyi"),
    ("Артём Краевой", "Artem Kraevoi"),
    ("Мадыр Чёткий", "Madyr Chetkii"),
    ("Оксана Клеёнкина", "Oksana Kleenkina"),
    ("Игорь Ильин", "Igor Ilin"),
    ("Ян Разъездной", "Ian Razieezdnoi"),
    ("Щербаков Юрий Алексеевич", "Shcherbakov Iurii Alekseevich"),
    ("Хабаров Цой Эйхе", "Khabarov Tsoi Eikhe"),
]


@pytest.mark.parametrize(("cyr", "lat"), ICAO_RU_EXAMPLES)
def test_icao_russian(cyr: str, lat: str) -> None:
    assert transliterate(cyr, "icao") == lat


def test_icao_ukrainian_column() -> None:
    # ICAO's Ukrainian exceptions: И -> Y, Є -> IE, Ї -> I, Ґ -> G, Г -> G (not H), ь omitted.
    assert transliterate("Єнакієве", "icao") == "Ienakiieve"
    assert transliterate("Їжакевич Ґудзь", "icao") == "Izhakevych Gudz"
    assert transliterate("Юрій Олексійович Згорани", "icao") == "Iurii Oleksiiovych Zgorany"


# BGN/PCGN 1947 Russian, from the system's table and its notes: е and ё are ye/yë at the start of a
# word, after a vowel, й, ъ or ь, and e/ë elsewhere; ъ is ”, ь is ’, й is y, ы is y.
BGN_PCGN_RU_EXAMPLES = [
    ("Ельцин", "Yel’tsin"),
    ("Ёлкин", "Yëlkin"),
    ("Пётр", "Pëtr"),
    ("Воробьёв", "Vorob’yëv"),
    ("Объедков", "Ob”yedkov"),
    ("Алексеевич", "Alekseyevich"),
    ("Юрий Майя", "Yuriy Mayya"),
    ("Эдуард Щукин", "Eduard Shchukin"),
    ("Хрущёв", "Khrushchëv"),
]


@pytest.mark.parametrize(("cyr", "lat"), BGN_PCGN_RU_EXAMPLES)
def test_bgn_pcgn_russian(cyr: str, lat: str) -> None:
    assert transliterate(cyr, "bgn_pcgn") == lat


def test_bgn_pcgn_yo_is_latin_not_cyrillic() -> None:
    # iuliia's bgn_pcgn schema leaves a Cyrillic ё in its output; ours must be all Latin.
    out = transliterate("Ёлкин Фёдор", "bgn_pcgn")
    assert all(not ("\u0400" <= c <= "\u04ff") for c in out)


def test_bgn_pcgn_ukrainian_is_national_2010() -> None:
    # BGN/PCGN adopted the Ukrainian national system in 2019.
    assert transliterate("Згурський Олексій", "bgn_pcgn") == "Zghurskyi Oleksii"


GOST_B_RU_EXAMPLES = [
    # ц is c before и, е, ы, й and cz elsewhere; ы is y`, э is e`, ъ is ``, ь is `.
    ("Цыганов", "Cy`ganov"),
    ("Цой", "Czoj"),
    ("Цибин", "Cibin"),
    ("Щукин", "Shhukin"),
    ("Хрущёв", "Xrushhyov"),
    ("Эдуард", "E`duard"),
    ("Объедков", "Ob``edkov"),
    ("Юрий Яна", "Yurij Yana"),
    ("Жуков", "Zhukov"),
]


@pytest.mark.parametrize(("cyr", "lat"), GOST_B_RU_EXAMPLES)
def test_gost_7_79_system_b_russian(cyr: str, lat: str) -> None:
    assert transliterate(cyr, "gost_7_79") == lat


def test_gost_7_79_system_b_ukrainian() -> None:
    assert transliterate("Гаївка", "gost_7_79") == "Gayivka"
    assert transliterate("Цибулько", "gost_7_79", lang="uk") == "Cy`bul`ko"
    assert transliterate("Ґудзь Єнакієве", "gost_7_79") == "G`udz` Yenakiyeve"
    assert transliterate("Знам'янка Щербаків", "gost_7_79") == "Znam''yanka Shherbakiv"


ISO9_EXAMPLES = [
    ("Щербаков", "Ŝerbakov"),
    ("Ёлкин", "Ëlkin"),
    ("Юрий Яна", "Ûrij Âna"),
    ("Объедков Ильич", "Obʺedkov Ilʹič"),
    ("Хабаров Цой Эйхе", "Habarov Coj Èjhe"),
    ("Жуков Шишкин", "Žukov Šiškin"),
    ("Їжак Єва Іван", "Ïžak Êva Ìvan"),
    ("Ґудзь", "G\u0300udzʹ"),
]


@pytest.mark.parametrize(("cyr", "lat"), ISO9_EXAMPLES)
def test_iso9(cyr: str, lat: str) -> None:
    assert transliterate(cyr, "iso9") == lat


def test_iso9_yo_is_latin_e_with_diaeresis() -> None:
    # iuliia's gost_779 (= ISO 9) leaves ё as a Cyrillic letter.
    assert transliterate("Ё", "iso9") == "\u00cb"


POPULAR_EXAMPLES = [
    ("Юрий", "Yury"),
    ("Евгений", "Yevgeny"),
    ("Пётр", "Pyotr"),
    ("Хрущёв", "Khrushchyov"),
    ("Ильич", "Ilyich"),
    ("Майя Дарья", "Mayya Darya"),
    ("Щербаков", "Shcherbakov"),
    # Ukrainian names are written in the national system in English today.
    ("Сергій Олексійович", "Serhii Oleksiiovych"),
]


@pytest.mark.parametrize(("cyr", "lat"), POPULAR_EXAMPLES)
def test_popular_english(cyr: str, lat: str) -> None:
    assert transliterate(cyr, "popular") == lat


GERMAN_EXAMPLES = [
    ("Щербаков", "Schtscherbakow"),
    ("Юрий", "Juri"),
    ("Горбачёв", "Gorbatschow"),
    ("Хрущёв", "Chruschtschow"),
    ("Жуков", "Schukow"),
    ("Васильев", "Wassiljew"),
    ("Евгений", "Jewgeni"),
    ("Пётр", "Pjotr"),
    ("Ильич", "Iljitsch"),
    ("Алексей", "Alexej"),
    ("Цой Зоя", "Zoj Soja"),
]


@pytest.mark.parametrize(("cyr", "lat"), GERMAN_EXAMPLES)
def test_german(cyr: str, lat: str) -> None:
    assert transliterate(cyr, "german") == lat


def test_german_ukrainian() -> None:
    # Ukrainian: г is h, и is y, ж is sch (translitua writes "sh", which is not German).
    assert transliterate("Житомир", "german", lang="uk") == "Schytomyr"
    assert transliterate("Василь", "german", lang="uk") == "Wassyl"
    assert transliterate("Григорій", "german") == "Hryhorij"


@pytest.mark.parametrize("standard", STANDARDS)
def test_upper_case_words_stay_upper_case(standard: str) -> None:
    # The libraries give "ShchERBAKOV" for an all-capital word; every standard must give all capitals.
    out = transliterate("ЩЕРБАКОВ ЮРИЙ", standard)  # type: ignore[arg-type]
    assert out == out.upper()
    assert out.split(" ")[0] == transliterate("Щербаков", standard).upper()  # type: ignore[arg-type]


@pytest.mark.parametrize("standard", STANDARDS)
def test_title_case_and_lower_case_kept(standard: str) -> None:
    title = transliterate("Щербаков", standard)  # type: ignore[arg-type]
    lower = transliterate("щербаков", standard)  # type: ignore[arg-type]
    assert title[0].isupper()
    assert lower == lower.lower()
    assert title.lower() == lower


def test_ua_2010_upper_case_initial_ye() -> None:
    assert transliterate("ЄВГЕН ЇЖАК", "ua_2010") == "YEVHEN YIZHAK"


def test_hyphenated_parts_are_separate_words() -> None:
    # Word-initial rules apply after a hyphen (Єва-Марія: both parts start a word).
    assert transliterate("Єва-Юлія", "ua_2010") == "Yeva-Yuliia"


def test_non_cyrillic_passes_through() -> None:
    assert transliterate("Smith 12", "icao") == "Smith 12"
    assert transliterate("", "icao") == ""


def test_unknown_standard_is_an_error() -> None:
    with pytest.raises(ValueError, match="klingon"):
        transliterate("Иван", "klingon")  # type: ignore[arg-type]


def test_language_detection() -> None:
    assert detect_lang("Сергій") == "uk"
    assert detect_lang("Сергей") == "ru"
    assert detect_lang("Ґудзь") == "uk"
    assert detect_lang("Льоша") == "uk"  # ьо is Ukrainian for ё
    # A Russian-only letter wins: "Объїздов" is a Russian name with a typo, not Ukrainian.
    assert detect_lang("Подъїздов") == "ru"


def test_each_word_is_read_in_its_own_language() -> None:
    # A Ukrainian given name with a Russian surname: і makes the first word Ukrainian, ё the second
    # Russian; neither letter may be left in Cyrillic.
    assert transliterate("Сергій Ёлкин", "ua_2010") == "Serhii Yolkyn"
    assert transliterate("Сергій Ёлкин", "icao") == "Sergii Elkin"
    assert transliterate("Сергій Ёлкин", "bgn_pcgn") == "Serhii Yëlkin"


_CYRILLIC_LETTERS = "абвгґдеёєжзиіїйклмнопрстуўфхцчшщъыьэюяАБВГҐДЕЁЄЖЗИІЇЙКЛМНОПРСТУЎФХЦЧШЩЪЫЬЭЮЯ'’ -"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_CYRILLIC_LETTERS, max_size=30), standard=st.sampled_from(STANDARDS))
def test_output_never_holds_cyrillic(text: str, standard: str) -> None:
    out = transliterate(text, standard)  # type: ignore[arg-type]
    assert not any("\u0400" <= c <= "\u04ff" for c in out), (text, out)


def test_explicit_language_overrides_detection() -> None:
    # "Гриценко" has no letter only Ukrainian uses; as Ukrainian, г is h and и is y.
    assert transliterate("Гриценко", "ua_2010", lang="uk") == "Hrytsenko"
    assert transliterate("Гриценко", "icao", lang="ru") == "Gritsenko"
    assert transliterate("Гриценко", "icao", lang="uk") == "Grytsenko"


# --------------------------------------------------------------------------------------------------
# Latin -> Cyrillic candidates
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "expected_first"),
    [
        ("Shcherbakov", "щербаков"),
        ("Schtscherbakow", "щербаков"),
        ("Ščerbakov", "щербаков"),
        ("Zhukov", "жуков"),
        ("Khabarov", "хабаров"),
        ("Tsoi", "цой"),
        ("Yuriy", "юрий"),
        ("Alekseevich", "алексеевич"),
    ],
)
def test_cyrillic_candidates_first_is_the_usual_reading(latin: str, expected_first: str) -> None:
    assert cyrillic_candidates(latin)[0] == expected_first


@pytest.mark.parametrize(
    ("latin", "expected"),
    [
        ("Serhii", "сергій"),
        ("Iurii", "юрий"),
        ("Yelena", "елена"),
        ("Pyotr", "пётр"),
        ("Scherbakov", "шербаков"),
        ("Olha", "ольга"),
    ],
)
def test_cyrillic_candidates_contain_the_right_form(latin: str, expected: str) -> None:
    assert expected in cyrillic_candidates(latin, limit=30)


@pytest.mark.parametrize(
    ("latin", "expected_first"),
    [("Serhii", "сергій"), ("Olha", "ольга"), ("Yevhen", "євген"), ("Oleksiiovych", "олексійович")],
)
def test_cyrillic_candidates_put_known_name_forms_first(latin: str, expected_first: str) -> None:
    # By letter costs alone "Serhii" reads серхий first; the name-form table knows сергій.
    assert cyrillic_candidates(latin)[0] == expected_first


def test_cyrillic_candidates_are_bounded_and_distinct() -> None:
    cands = cyrillic_candidates("Iaroslav Iurievich Shchukin", limit=5)
    assert 1 <= len(cands) <= 5
    assert len(set(cands)) == len(cands)
    assert all(len(c.split(" ")) == 3 for c in cands)


def test_cyrillic_candidates_of_cyrillic_and_empty() -> None:
    assert cyrillic_candidates("Щербаков") == ["щербаков"]
    assert cyrillic_candidates("  ") == []
    with pytest.raises(ValueError):
        cyrillic_candidates("Ivan", limit=0)


@pytest.mark.parametrize(
    "text", ["Ю.", "Ю", "J.", "Yu.", "YU.", "Iu.", "Ju.", "Ye.", "Je.", "Zh.", "Shch.", "Schtsch.", "Tsch."]
)
def test_initials_in_either_script(text: str) -> None:
    # A passport-style list abbreviates Юрий to "Yu.": one Cyrillic letter, two Latin ones.
    assert is_initial(text)


@pytest.mark.parametrize("text", ["Yu", "Юра", "Ivan", "Ian.", "", None])
def test_names_are_not_initials(text: str | None) -> None:
    # Without its dot "Yu" is read as a (short) name; "Ian." is a name with a stray dot.
    assert not is_initial(text)


@pytest.mark.parametrize("letter", "абвгдеёжзийклмнопрстуфхцчшщыэюяґєії")
def test_every_standard_spelling_of_a_capital_is_an_initial(letter: str) -> None:
    for standard in STANDARDS:
        for lang in ("ru", "uk"):
            written = transliterate(letter.upper(), standard, lang)  # type: ignore[arg-type]
            assert is_initial(written + "."), (letter, standard, lang, written)
