"""The desk's possible duplicates (/desk/duplicates): the engine's candidate pairs, strongest first,
each with its reasons, a link into the compare/merge screen and a "not the same person" dismissal.

The page reads the stored pairs (services/duplicate_candidates.py): a filing's check and an edit of
the person keep a case's pairs current, and "Recompute" runs the engine over the whole registry in a
background thread (about 2 s at 2,000 cases, 5-10 s at 20,000 on a shared 2-core machine): it reads
in a read transaction and takes the write lock only to replace the rows, so nobody's writes wait for
the engine. Fifty pairs a page, strongest first (`python -m benchmarks duplicates`: p95 about 100 ms
at 20,000 cases, against 6-10 s when every view ran the engine).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from kintrace.http.deps import Db
from kintrace.services import duplicate_candidates
from kintrace.services.access import Actor, require_staff
from kintrace.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kintrace.store.db import transaction
from kintrace.store.models import utcnow
from kintrace.web import forms
from kintrace.web.i18n import N_
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Staff, Visitor

log = logging.getLogger(__name__)
router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The engine's compared fields as the desk names them.
FIELD_NAMES: dict[str, str] = {
    "surname": N_("Surname"),
    "given_name": N_("Given name"),
    "patronymic": N_("Patronymic"),
    "birth_date": N_("Birth date"),
    "unit": N_("Unit"),
    "service_number": N_("Service number"),
    "place_of_birth": N_("Place of birth"),
}
BANDS: dict[str, str] = {"link": N_("likely the same person"), "review": N_("to review")}
PER_PAGE = 50  # pairs a page shows, strongest first (each with its reasons table and dismissal form)
MAX_PAGE = 100_000


def _context(db: Session, who: Visitor, request: Request, page: int = 1) -> dict[str, Any]:
    total = duplicate_candidates.count_stored(db, who.actor)
    pages = max(1, -(-total // PER_PAGE))
    page = max(1, min(page, pages))
    candidates = duplicate_candidates.stored_candidates(
        db, who.actor, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    return {
        "candidates": candidates,
        "total": total,
        "page": page,
        "pages": pages,
        "cases": duplicate_candidates.cases_of(db, who.actor, candidates),
        "last_run": duplicate_candidates.last_run(db, who.actor),
        "refreshing": refreshing(request.app.state),
        "field_names": FIELD_NAMES,
        "bands": BANDS,
        "can_write": who.actor.can_write_cases,
        "error": None,
        "done": None,
    }


@router.get("/desk/duplicates")
def candidate_pairs(
    request: Request,
    db: Db,
    who: Staff,
    done: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    context = _context(db, who, request, page)
    context["done"] = done
    return render(request, "desk/duplicates.html", context, user=who.user)


@router.post("/desk/duplicates/dismiss")
async def dismiss(request: Request, db: Db, who: Staff) -> Response:
    """ "Not the same person", with a reason: the pair is never proposed again."""
    form = await request.form()
    try:
        first, second = forms.integer(form, "case_id"), forms.integer(form, "other_case_id")
        if first is None or second is None:
            raise ValidationFailed("case_id", "choose the two cases")
        duplicate_candidates.dismiss(db, who.actor, first, second, forms.text(form, "reason"))
    except (ValidationFailed, Forbidden, Conflict, NotFound) as error:
        db.rollback()
        context = _context(db, who, request)
        context["error"] = error
        code = {Forbidden: 403, Conflict: 409, NotFound: 404}.get(type(error), 422)
        return render(request, "desk/duplicates.html", context, user=who.user, status_code=code)
    return RedirectResponse("/desk/duplicates?done=dismissed", status_code=303)


# --- the full run, in the background ----------------------------------------------------------------

_RUN_LOCK = threading.Lock()  # one full run at a time in this process


def refreshing(state: Any) -> bool:
    thread: threading.Thread | None = getattr(state, "duplicate_refresh", None)
    return thread is not None and thread.is_alive()


def _run(state: Any, actor: Actor) -> None:
    try:
        started, clock = utcnow(), time.perf_counter()
        with transaction(state.sessionmaker, reading=True) as session:
            found = duplicate_candidates.compute_all(session, actor)
        with transaction(state.sessionmaker) as session:
            duplicate_candidates.store_all(
                session, actor, found, started=started, seconds=time.perf_counter() - clock
            )
    except Exception:  # the stored pairs stay as they were; the desk can start it again
        log.exception("recomputing the candidate duplicates failed")
    finally:
        _RUN_LOCK.release()


@router.post("/desk/duplicates/refresh")
async def refresh(request: Request, who: Staff) -> Response:
    """Recompute every pair with the engine (staff), in a thread of its own; the page says when the
    list was last computed and that a run is under way."""
    require_staff(who.actor, "recompute candidate duplicates")
    if not _RUN_LOCK.acquire(blocking=False):
        return RedirectResponse("/desk/duplicates?done=running", status_code=303)
    thread = threading.Thread(
        target=_run, args=(request.app.state, who.actor), name="duplicate-refresh", daemon=True
    )
    request.app.state.duplicate_refresh = thread
    thread.start()
    return RedirectResponse("/desk/duplicates?done=refreshing", status_code=303)
