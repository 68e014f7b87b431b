"""The desk's DNA forms: reference samples with their signed consent form and personal effects on the
case page, remains and lab exports on /desk/dna, and each sample's page (details, chain of custody,
consent and its form).

The services check everything; this module reads the forms and says what was wrong in the reader's
language, naming the field, and shows the page again with nothing saved.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from kintrace.domain.dna_samples import CustodyStep, DonorSex, Kinship
from kintrace.http.deps import Db, PathId
from kintrace.services import dna_arrival, dna_consent_forms, dna_profiles, dna_samples
from kintrace.services.attachments import MAX_ATTACHMENT_BYTES, content_disposition
from kintrace.services.errors import Conflict, ServiceError, ValidationFailed
from kintrace.store.models import Case
from kintrace.web import forms
from kintrace.web.desk import case_context
from kintrace.web.dna import desk_context, markers_or_none, server_markers
from kintrace.web.i18n import N_, gettext_for
from kintrace.web.labels import CUSTODY_STEP, KINSHIP
from kintrace.web.pages import language_of, render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Staff, Visitor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_EXPORT_BYTES = 50 * 1024 * 1024

# The services' English messages a caseworker meets on these forms, as sentences with no record in
# them; the field is named beside the message by the page.
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"is in the future$"), N_("must not be in the future")),
    (re.compile(r"is not a relative in this case$"), N_("is not a relative in this case")),
    (re.compile(r"must not be empty$|please fill this in$"), N_("please fill this in")),
    (re.compile(r"is longer than (\d+) characters$"), N_("is longer than %(most)s characters")),
    (re.compile(r"is not a date \(YYYY-MM-DD\)$"), N_("is not a date (YYYY-MM-DD)")),
    (re.compile(r"please give a date$"), N_("please give a date")),
    (re.compile(r"please choose one$"), N_("please choose one")),
    (re.compile(r"a form must be a PDF, JPEG or PNG$|type not accepted"), N_("must be a PDF, JPEG or PNG")),
    (re.compile(r"^is empty$"), N_("the file is empty")),
    (re.compile(r"^is larger than 10 MiB$|the limit is 10485760$"), N_("is larger than 10 MiB")),
    (re.compile(r"^is larger than 50 MiB$"), N_("is larger than 50 MiB")),
)
_CONFLICTS: tuple[tuple[re.Pattern[str], str | None, str], ...] = (
    (
        re.compile(r"^sample code (?P<code>.+) is already registered$"),
        "code",
        N_("%(code)s is already registered: give the sample's own code"),
    ),
    (
        re.compile(r"^sample (?P<code>.+) was consumed; no later custody step is possible$"),
        "step",
        N_("sample %(code)s was consumed: no later step is possible"),
    ),
    (
        re.compile(r"^the consent for sample (?P<code>.+) was already withdrawn on (?P<date>\S+)$"),
        None,
        N_("the consent for sample %(code)s was already withdrawn on %(date)s"),
    ),
)
# Where a lab export is wrong ("export.csv row 12, field sample_id") and what: said again in the
# reader's language, the file, row and column kept as the file has them.
_IMPORT_WHERE = re.compile(r"^(?P<file>.+) row (?P<row>\S+), field (?P<column>\w+)$")
_IMPORT_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^sample (?P<code>.+) is not registered$"), N_("sample %(code)s is not registered")),
    (
        re.compile(r"^sample (?P<code>.+) has no consent in force; its profile may not be kept$"),
        N_("sample %(code)s has no consent in force; its profile may not be kept"),
    ),
    (re.compile(r"^sample (?P<code>.+) already has a profile$"), N_("sample %(code)s already has a profile")),
    (re.compile(r"^sample (?P<code>.+): no marker typed$"), N_("sample %(code)s: no marker typed")),
)


def readable_import(translate: Callable[[str], str], error: ValidationFailed) -> ValidationFailed:
    """A lab export's error, naming the file, row and column, in the reader's language."""
    message = error.message
    for pattern, words in _IMPORT_MESSAGES:
        found = pattern.match(message)
        if found:
            message = translate(words) % found.groupdict()
            break
    where = _IMPORT_WHERE.match(error.field or "")
    if where:
        place = translate(N_("%(file)s, row %(row)s, column %(column)s")) % where.groupdict()
        return ValidationFailed("export", f"{place}: {message}")
    return ValidationFailed(
        "export", message if error.field in (None, "export") else f"{error.field}: {message}"
    )


def readable(translate: Callable[[str], str], error: ServiceError) -> ValidationFailed:
    """The error in the reader's language, naming its field; what has no translation stays as said."""
    if isinstance(error, Conflict):
        for pattern, conflict_field, words in _CONFLICTS:
            found = pattern.match(str(error))
            if found:
                return ValidationFailed(conflict_field, translate(words) % found.groupdict())
        return ValidationFailed(None, str(error))
    field = getattr(error, "field", None)
    message = getattr(error, "message", str(error))
    for pattern, words in _MESSAGES:
        found = pattern.search(message)
        if found:
            params = {"most": found.group(1)} if found.groups() else {}
            return ValidationFailed(field, translate(words) % params if params else translate(words))
    if field == "kinship":
        detail = translate(N_("does not fit the relative's relationship or the family's other samples"))
        return ValidationFailed("kinship", f"{detail} ({message})")
    return ValidationFailed(field, message)


async def _form_file(form: FormData, name: str) -> bytes | None:
    """The posted file's bytes (None when none was chosen), read at most one byte past the limit."""
    upload = forms.upload(form, name)
    if upload is None:
        return None
    data = await upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(name, "is larger than 10 MiB")
    return data


def _filename(form: FormData, name: str) -> str:
    upload = form.get(name)
    return upload.filename or name if isinstance(upload, UploadFile) else name


def _case_failed(
    request: Request, db: Session, who: Visitor, case_id: int, error: ServiceError, form: FormData
) -> Response:
    db.rollback()
    _ = gettext_for(language_of(request))
    context = case_context(db, who, case_id)
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    context.update(done=None, form=values, error=readable(_, error), dna_form=values.get("dna_form"))
    return render(request, "desk/case.html", context, user=who.user, status_code=422)


@router.post("/desk/cases/{case_id}/dna/references")
async def add_reference(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    """A relative's reference sample, its consent and (when chosen) the signed consent form, at once."""
    form = await request.form()
    try:
        relative_id = forms.integer(form, "relative_id")
        if relative_id is None:
            raise ValidationFailed("relative_id", "please choose one")
        kinship = forms.text(form, "kinship")
        sample = dna_samples.add_reference(
            db,
            who.actor,
            case_id,
            dna_samples.ReferenceInput(
                code=forms.required(form, "code"),
                relative_id=relative_id,
                kinship=None if kinship is None else forms.choice(form, "kinship", Kinship),
                donor_sex=forms.choice(form, "donor_sex", DonorSex, DonorSex.UNKNOWN),
                collected_on=forms.iso_date(form, "collected_on"),
                collector=forms.required(form, "collector"),
                laboratory=forms.required(form, "laboratory"),
                consent_on=forms.iso_date(form, "consent_on"),
                kit=forms.text(form, "kit"),
            ),
        )
        data = await _form_file(form, "consent_form")
        if data is not None:
            dna_consent_forms.attach_form(
                db, who.actor, sample.id, filename=_filename(form, "consent_form"), data=data
            )
    except (ValidationFailed, Conflict) as error:
        return _case_failed(request, db, who, case_id, error, form)
    return RedirectResponse(f"/desk/cases/{case_id}?done=dna-sample#dna-samples", status_code=303)


@router.post("/desk/cases/{case_id}/dna/effects")
async def add_personal_effect(request: Request, case_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        dna_samples.add_personal_effect(
            db,
            who.actor,
            case_id,
            dna_samples.PersonalEffectInput(
                code=forms.required(form, "code"),
                item=forms.required(form, "item"),
                handed_over_by=forms.required(form, "handed_over_by"),
                handed_over_on=forms.iso_date(form, "handed_over_on"),
                laboratory=forms.required(form, "laboratory"),
            ),
        )
    except (ValidationFailed, Conflict) as error:
        return _case_failed(request, db, who, case_id, error, form)
    return RedirectResponse(f"/desk/cases/{case_id}?done=dna-effect#dna-samples", status_code=303)


def _sample_context(db: Session, who: Visitor, sample_id: int) -> dict[str, Any]:
    sample = dna_samples.get_sample(db, who.actor, sample_id)
    return {
        "sample": sample,
        "case_reference": None
        if sample.case_id is None
        else db.scalar(select(Case.reference).where(Case.id == sample.case_id)),
        "has_profile": dna_profiles.has_profile(db, sample.id),
        "steps": list(CustodyStep),
        "step_label": CUSTODY_STEP,
        "kinship": KINSHIP,
        "today": dt.date.today(),
        "can_write": who.actor.can_write_cases,
        "form": {},
        "error": None,
        "done": None,
    }


def _sample_page(
    request: Request,
    db: Session,
    who: Visitor,
    sample_id: int,
    error: ServiceError | None = None,
    form: FormData | None = None,
) -> Response:
    if error is not None:
        db.rollback()
    context = _sample_context(db, who, sample_id)
    if error is not None:
        _ = gettext_for(language_of(request))
        context.update(
            error=readable(_, error),
            form={k: v for k, v in (form or {}).items() if isinstance(v, str)},
        )
    return render(
        request, "desk/dna_sample.html", context, user=who.user, status_code=200 if error is None else 422
    )


@router.get("/desk/dna/samples/{sample_id}")
def sample_page(request: Request, sample_id: PathId, db: Db, who: Staff, done: str | None = None) -> Response:
    context = _sample_context(db, who, sample_id)
    context["done"] = done
    return render(request, "desk/dna_sample.html", context, user=who.user)


@router.post("/desk/dna/samples/{sample_id}/custody")
async def add_custody(request: Request, sample_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        dna_samples.add_custody(
            db,
            who.actor,
            sample_id,
            forms.choice(form, "step", CustodyStep),
            forms.iso_date(form, "on"),
            forms.required(form, "by"),
            forms.text(form, "note"),
        )
    except (ValidationFailed, Conflict) as error:
        return _sample_page(request, db, who, sample_id, error, form)
    return RedirectResponse(f"/desk/dna/samples/{sample_id}?done=custody#custody", status_code=303)


@router.post("/desk/dna/samples/{sample_id}/consent-form")
async def upload_consent_form(request: Request, sample_id: PathId, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        data = await _form_file(form, "consent_form")
        if data is None:
            raise ValidationFailed("consent_form", "please choose one")
        dna_consent_forms.attach_form(
            db, who.actor, sample_id, filename=_filename(form, "consent_form"), data=data
        )
    except ValidationFailed as error:
        return _sample_page(request, db, who, sample_id, error, form)
    return RedirectResponse(f"/desk/dna/samples/{sample_id}?done=form#consent", status_code=303)


@router.get("/desk/dna/samples/{sample_id}/consent-form")
def download_consent_form(sample_id: PathId, db: Db, who: Staff) -> Response:
    found = dna_consent_forms.read_form(db, who.actor, sample_id)
    return Response(
        found.data,
        media_type=found.media_type,
        headers={"Content-Disposition": content_disposition(found.filename)},
    )


@router.post("/desk/dna/samples/{sample_id}/withdraw")
async def withdraw_consent(request: Request, sample_id: PathId, db: Db, who: Staff) -> Response:
    """A caseworker withdraws the consent on the donor's behalf (by phone, by letter), with a note."""
    form = await request.form()
    try:
        note = forms.required(form, "note")
        dna_arrival.withdraw_consent(
            db,
            who.actor,
            request.app.state.genetic_key,
            markers_or_none(),
            sample_id,
            on=forms.iso_date(form, "on", default=dt.date.today()),
            note=note,
        )
    except (ValidationFailed, Conflict) as error:
        return _sample_page(request, db, who, sample_id, error, form)
    return RedirectResponse(f"/desk/dna/samples/{sample_id}?done=withdrawn#consent", status_code=303)


def _desk_failed(
    request: Request, db: Session, who: Visitor, error: ServiceError, form: FormData
) -> Response:
    db.rollback()
    _ = gettext_for(language_of(request))
    context = desk_context(db, who, request)
    context.update(
        error=readable(_, error),
        form={k: v for k, v in form.items() if isinstance(v, str)},
    )
    return render(request, "desk/dna_candidates.html", context, user=who.user, status_code=422)


@router.post("/desk/dna/remains")
async def add_remains(request: Request, db: Db, who: Staff) -> Response:
    form = await request.form()
    try:
        sample = dna_samples.add_remains(
            db,
            who.actor,
            dna_samples.RemainsInput(
                code=forms.required(form, "code"),
                incident=forms.required(form, "incident"),
                recovered_on=forms.iso_date(form, "recovered_on"),
                body_number=forms.required(form, "body_number"),
                laboratory=forms.required(form, "laboratory"),
            ),
        )
    except (ValidationFailed, Conflict) as error:
        return _desk_failed(request, db, who, error, form)
    return RedirectResponse(f"/desk/dna/samples/{sample.id}?done=remains", status_code=303)


@router.post("/desk/dna/import")
async def import_export(request: Request, db: Db, who: Staff) -> Response:
    """A lab export (long or wide CSV): all or nothing; the new profiles are scored at once."""
    dna_profiles.require_importer(who.actor)
    form = await request.form()
    upload = forms.upload(form, "export")
    try:
        if upload is None:
            raise ValidationFailed("export", "please choose one")
        data = await upload.read(MAX_EXPORT_BYTES + 1)
        if len(data) > MAX_EXPORT_BYTES:
            raise ValidationFailed("export", "is larger than 50 MiB")
        markers = server_markers(request)
        name = Path(upload.filename or "export.csv").name
        with tempfile.TemporaryDirectory(prefix="kintrace-export-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            result = dna_arrival.import_and_match(db, who.actor, request.app.state.genetic_key, markers, path)
    except ValidationFailed as error:
        return _desk_failed(request, db, who, readable_import(gettext_for(language_of(request)), error), form)
    summary = (
        f"profiles={len(result.imported.profiles)}&comparisons={result.matching.pairs + result.direct.pairs}"
        f"&candidates={result.matching.candidates}&direct={result.direct.candidates}"
    )
    return RedirectResponse(f"/desk/dna?done=import&{summary}#import", status_code=303)
