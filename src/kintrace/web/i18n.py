"""Languages of the web pages: English, Ukrainian, Russian from gettext catalogs (Babel).

The .po files are the source of truth; they are compiled in memory when first needed, so a fresh
checkout needs no build step and a stale .mo can never shadow an edited .po.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable
from pathlib import Path

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "kintrace_lang"
CATALOG_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language` (English is the source text itself)."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    po_path = CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(language: str) -> Callable[[str], str]:
    return translations(language).gettext


def ngettext_for(language: str) -> Callable[[str, str, int], str]:
    return translations(language).ngettext


def _accepted(header: str) -> list[str]:
    """Accept-Language as language tags, most wanted first ("uk-UA,uk;q=0.9,en;q=0.5")."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The reader's switch (cookie) wins; else the browser's Accept-Language; else English."""
    if cookie in LANGUAGES:
        return cookie
    if accept_language:
        preferred = [tag.replace("_", "-") for tag in _accepted(accept_language)]
        found = negotiate_locale(preferred, list(LANGUAGES), sep="-")
        if found is None:
            # "uk-UA" against "uk": compare the primary subtags.
            primaries = [tag.split("-")[0].lower() for tag in preferred]
            found = next((p for p in primaries if p in LANGUAGES), None)
        if found in LANGUAGES:
            return found
    return DEFAULT_LANGUAGE
