"""Cross-script keys for Slavic names: `name_key` (a skeleton) and `phonetic_key` (coarser, for blocking).

Both keys are lower-case ASCII, words joined by one space. The rules, in order:

1. A Cyrillic word is spelled in a plain internal Latin (щ->shch, ж->zh, х->kh, ц->ts, й/ы->y, ё->yo,
   ъ/ь dropped). A Latin word has its diacritics spelled out (š->sh, ŝ->shch, č->ch, â->ya, û->yu,
   ë->yo, ê->ye, ï->yi, ì->i, è->e) and the remaining marks (ʹ ʺ ’ ” `) dropped, then:
   - x is кс only in Alex-/Olex-/Max-/Xen-/Oxan-/Felix; elsewhere, and in a text with GOST 7.79-B's
     marks (`, shh, cz), it is х;
   - ch before r/l/m/v is х (Christina, Chmelnyzkyj): ч never stands there;
   - ou is у (French-style Kouznetsov; Cyrillic оу as well, Білоус/Bilous, so both sides agree);
   - a German-style word (w, tsch, sch without English sh/kh/zh/v; or j before a vowel or zk, with no
     English ch) is decoded: schtsch->shch, tsch->ch, sch->sh, ch->kh, z->ts, ss->s, and a single s
     between vowels ->z when the word is surely German.
2. Letters the standards spell differently become one class:
     щ/ш/ж: shch, shh, sch, sh, zh -> "x"   (German writes ж and ш alike; popular English drops щ's ch)
     ч:     ch, tch                -> "q"
     г/х:   g, h, gh, kh           -> "h"   (Ukrainian г is h in KMU 55, ISO writes х as h)
     ц:     ts, tz, cz, c          -> "c"
     й/ы/и/і/ї: y, j, i            -> "i"
     в:     v, w                   -> "v";  q -> "k"
3. Glides: a run of i is one i (ий/ый/ій, -ii/-iy/-ij/-yy, ия/ья: ia/ya/ja/iia); i before e is dropped
   (е/є/ье/ъе: e, ye, ie, je, ICAO's ъ=ie); io is ё and becomes e (Petr/Pyotr/Piotr/Pjotr); i between two
   other vowels is dropped (Майя: Maiia/Mayya); o after x/q is e (Горбачёв: Gorbachev/Gorbatschow).
4. Doubled letters are single (Анна/Ana, Wassiljew); a final -of/-ef of a long word is -ov/-ev
   (Smirnoff).

`phonetic_key` then also merges o/a (akanye), e/i (Сергей/Сергій, Алексей/Олексій), z/s (German з),
f/v, ч with г/х (ch is ч in English and х in German, so an unmarked German Michail only meets Михаил
here), and devoices a final b/d/v. It is meant for blocking and as a weak comparison level.

Known misses (measured in tests/linkage/test_names_keys.py): a German-style word with no German mark
(Michail, Sinaida, Zoj) keeps English readings of ch, s and z in name_key (German agreement 0.95 for
name_key, 0.99 for phonetic_key; every other standard 1.0).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kintrace.linkage.names.normalise import is_cyrillic, normalise, strip_diacritics

_CYR_INTERNAL = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo", "є": "ye",
        "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
        "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
        "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya", "ў": "u",
    }
)  # fmt: skip

# Diacritic letters of ISO 9, scholarly and Czech/Polish-style spellings, spelled out before the
# remaining marks are stripped.
_LATIN_SPELLOUT = str.maketrans(
    {
        "š": "sh", "ž": "zh", "č": "ch", "ŝ": "shch", "ĉ": "ch", "û": "yu", "â": "ya", "ë": "yo",
        "ê": "ye", "ì": "i", "ï": "yi", "è": "e", "ė": "e", "ß": "ss", "ł": "l", "ś": "s", "ź": "z",
        "ż": "zh", "ć": "ch", "ń": "n", "ǵ": "g", "ĝ": "g",
        "ʺ": "", "ʹ": "", "”": "", "“": "", '"': "", "’": "", "'": "", "`": "", "ʼ": "",
    }
)  # fmt: skip

_GERMAN_RULES: tuple[tuple[str, str], ...] = (
    ("schtsch", "\x01"),
    ("tsch", "\x02"),
    ("sch", "\x03"),
    ("ch", "\x04"),
    ("ss", "\x05"),
    ("z", "\x06"),
)
_GERMAN_BACK = str.maketrans(
    {"\x01": "shch", "\x02": "ch", "\x03": "sh", "\x04": "kh", "\x05": "s", "\x06": "ts"}
)
_GERMAN_INTERVOCALIC_S = re.compile(r"(?<=[aeiouy])s(?=[aeiouy])")

_CLASSES: tuple[tuple[str, str], ...] = (
    ("shch", "x"),
    ("shh", "x"),
    ("sch", "x"),
    ("sh", "x"),
    ("zh", "x"),
    ("tch", "q"),
    ("ch", "q"),
    ("kh", "h"),
    ("gh", "h"),
    ("ts", "c"),
    ("tz", "c"),
    ("cz", "c"),
    ("g", "h"),
    ("y", "i"),
    ("j", "i"),
    ("w", "v"),
    ("q", "k"),
)
_CLASS_RE = re.compile("|".join(re.escape(k) for k, _ in _CLASSES))
_CLASS_MAP = dict(_CLASSES)

_I_RUN = re.compile(r"i{2,}")
_I_BEFORE_E = re.compile(r"i(?=e)")
_IO = re.compile(r"io")
_I_BETWEEN_VOWELS = re.compile(r"(?<=[aeou])i(?=[aeou])")
# ё after ж/ш/щ/ч is "o" in German and popular spellings but "e" in ICAO (Горбачёв: Gorbachev/Gorbatschow).
_O_AFTER_HUSHING = re.compile(r"(?<=[xq])o")
_DOUBLED = re.compile(r"(.)\1+")
_NON_KEY = re.compile(r"[^a-z0-9]")


_GERMAN_J = re.compile(r"j[aeiou]")
_LONE_CH = re.compile(r"(?<![st])ch")


def _german_strength(word: str) -> int:
    """2: surely German-style (w, tsch, or sch without English sh/kh/zh/v); 1: only a j before a vowel
    and no English-style ch (ISO and GOST B also write j, but never with German ch = х); 0: not German.
    """
    if "tsch" in word or "w" in word:
        return 2
    if "sch" in word and not any(m in word for m in ("v", "kh", "zh", "sh")):
        return 2
    if (_GERMAN_J.search(word) or "zk" in word) and not _LONE_CH.search(word):
        # j before a vowel, or zk (-цкий -> -zki, never so in English or ISO, which write tsk/ck)
        return 1
    return 0


def _decode_german(word: str, strength: int) -> str:
    for src, dst in _GERMAN_RULES:
        word = word.replace(src, dst)
    if strength > 1:
        # Duden writes с between vowels as ss, so a single s there is з; ISO and GOST B Йосип/Josip
        # would break if this were applied on a j alone.
        word = _GERMAN_INTERVOCALIC_S.sub("z", word)
    return word.translate(_GERMAN_BACK)


# x is кс only in the Latin names that came through Greek/Latin (Alexander, Maxim, Xenia, Felix);
# everywhere else in these lists it is GOST 7.79-B's х (Mixail, Zaxar, Oxrim).
_X_AS_KS = re.compile(r"(?<=ale)x|(?<=ole)x|(?<=ma)x|^x(?=[eji])|(?<=^o)x(?=an)|(?<=feli)x$")
# ч is never followed by р, л, м or в in these names, х often is (Христина, Хмельницкий): such a ch is
# the German spelling of х even in a word with no other German mark.
_CH_BEFORE_CONSONANT = re.compile(r"(?<![st])ch(?=[rlmv])")


def _skeleton_latin(word: str) -> str:
    # French-style ou for у (Kouznetsov); applied to Cyrillic оу too (Білоус) so both sides agree.
    word = word.replace("ou", "u")
    word = _CLASS_RE.sub(lambda m: _CLASS_MAP[m.group(0)], word)
    word = _I_RUN.sub("i", word)
    word = _I_BEFORE_E.sub("", word)
    word = _IO.sub("e", word)
    word = _I_BETWEEN_VOWELS.sub("", word)
    word = _O_AFTER_HUSHING.sub("e", word)
    word = _DOUBLED.sub(r"\1", word)
    if len(word) > 4 and word.endswith(("of", "ef")):
        word = word[:-1] + "v"
    return _NON_KEY.sub("", word)


def _word_skeleton(word: str, gost_b: bool) -> str:
    has_cyrillic = any(is_cyrillic(c) for c in word)
    if has_cyrillic:
        # A Cyrillic letter left inside a Latin word by a faulty transliterator ("Černyšёv") is spelled
        # with the rest of the word.
        word = strip_diacritics(word.translate(_CYR_INTERNAL).translate(_LATIN_SPELLOUT))
    else:
        plain_ascii = word.isascii()
        word = strip_diacritics(word.translate(_LATIN_SPELLOUT))
        if gost_b:
            word = word.replace("x", "kh")
        elif "x" in word:
            word = _X_AS_KS.sub("ks", word).replace("x", "kh")
        word = _CH_BEFORE_CONSONANT.sub("kh", word)
        strength = _german_strength(word) if plain_ascii and not gost_b else 0
        if strength:
            word = _decode_german(word, strength)
    return _skeleton_latin(word)


def _looks_gost_b(raw: str) -> bool:
    # GOST 7.79 system B writes х as "x"; elsewhere x is кс (Maxim, Alexei). Its marks (` for ь, `` for
    # ъ, y` for ы) and shh/cz are the only way to tell, and must be read before normalise drops them.
    low = raw.casefold()
    return "`" in low or "shh" in low or "cz" in low


@lru_cache(maxsize=1 << 18)
def name_key(text: str | None) -> str:
    """Cross-script skeleton of a name, words joined by single spaces: "Щербаков", "Shcherbakov",
    "Scherbakov", "Ščerbakov", "Schtscherbakow" -> "xerbakov". Never raises; "" for empty input."""
    norm = normalise(text)
    if not norm:
        return ""
    gost_b = _looks_gost_b(str(text))
    parts = (_word_skeleton(w, gost_b) for w in norm.replace("-", " ").split(" "))
    return " ".join(p for p in parts if p)


_PHONETIC = str.maketrans({"o": "a", "e": "i", "z": "s", "f": "v", "q": "h"})
_FINAL_DEVOICE = {"b": "p", "d": "t", "v": "f", "s": "s"}


def _phonetic_word(skel: str) -> str:
    out = skel.translate(_PHONETIC)
    out = _DOUBLED.sub(r"\1", out)
    if len(out) > 2 and out[-1] in _FINAL_DEVOICE:
        out = out[:-1] + _FINAL_DEVOICE[out[-1]]
    return out


@lru_cache(maxsize=1 << 18)
def phonetic_key(text: str | None) -> str:
    """Coarser key for blocking: name_key with o/a, e/i, z/s, v/f and ч/х merged and a final consonant
    devoiced ("Сергей" and "Сергій" agree, "Алексей" and "Олексій" agree). Never raises."""
    skel = name_key(text)
    if not skel:
        return ""
    return " ".join(_phonetic_word(w) for w in skel.split(" "))
