"""Rendering a page: the Jinja environment, the reader's language, the signed-in user, the CSRF token."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from kintrace.domain.dates import PartialDate
from kintrace.domain.vocabulary import Sex
from kintrace.http import sessions
from kintrace.store.models import User
from kintrace.web import labels
from kintrace.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    choose_language,
    gettext_for,
    ngettext_for,
    translations,
)
from kintrace.web.translit import has_cyrillic, to_latin

_env = Environment(
    loader=PackageLoader("kintrace.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def language_of(request: Request) -> str:
    return choose_language(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))


def name_with_latin(*parts: str | None) -> Markup:
    """The name as written, and, for a Cyrillic name, its Latin spelling beside it."""
    name = " ".join(p for p in parts if p)
    if not has_cyrillic(name):
        return Markup('<span class="name">{}</span>').format(name)
    return Markup('<span class="name" lang="{}">{}</span> <span class="latin" lang="en">({})</span>').format(
        "uk" if any(c in "іїєґІЇЄҐ" for c in name) else "ru", name, to_latin(name)
    )


def partial_date(value: str | PartialDate | dt.date | None) -> str:
    return "" if value is None else str(value)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    translate = gettext_for(language)

    def label(kind: str, value: object, sex: object = None) -> str:
        """A value's words in the reader's language; a status agrees with the person's sex."""
        if kind == "status" and sex == Sex.FEMALE and value in labels.FEMININE_STATUS:
            return translations(language).pgettext("female", labels.FEMININE_STATUS[value])  # type: ignore[index]
        text = labels.ALL[kind].get(value)
        return translate(text) if text else str(value)

    def field_label(field: str) -> str:
        """The label the reader saw for a form field an error names (not its id)."""
        text = labels.FIELD.get(field)
        return translate(text) if text else field.replace("_", " ")

    values: dict[str, Any] = {
        "request": request,
        "_": translate,
        "ngettext": ngettext_for(language),
        "lang": language,
        "languages": LANGUAGES,
        "user": user,
        "csrf_token": sessions.csrf_token_for(request) if user is not None else None,
        "label": label,
        "field_label": field_label,
        "labels": labels,
        "name": name_with_latin,
        "pdate": partial_date,
        "demo": request.app.state.settings.demo,
        "path": request.url.path,
        "query": request.url.query,
    }
    values.update(context or {})
    html = _env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    # Case files are private: no shared or back-button caches.
    response.headers["Cache-Control"] = "no-store"
    return response
