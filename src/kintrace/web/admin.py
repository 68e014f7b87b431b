"""Admin pages: accounts and their roles."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kintrace.domain.vocabulary import Role
from kintrace.http.deps import Db, PathId
from kintrace.services import users as user_service
from kintrace.services.errors import Conflict, ValidationFailed
from kintrace.web import forms
from kintrace.web.pages import render
from kintrace.web.routing import PageRoute
from kintrace.web.session import Admin

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)


@router.get("/users")
def users(request: Request, db: Db, who: Admin, done: str | None = None) -> Response:
    context = {"users": user_service.list_users(db, who.actor), "roles": list(Role), "done": done, "form": {}}
    return render(request, "admin/users.html", context, user=who.user)


@router.post("/users")
async def create_user(request: Request, db: Db, who: Admin) -> Response:
    form = await request.form()
    try:
        user_service.create_user(
            db,
            who.actor,
            username=forms.required(form, "username"),
            password=forms.required(form, "password"),
            role=forms.choice(form, "role", Role),
            display_name=forms.text(form, "display_name"),
            email=forms.text(form, "email"),
        )
        db.flush()
    except (ValidationFailed, Conflict) as error:
        db.rollback()
        context = {
            "users": user_service.list_users(db, who.actor),
            "roles": list(Role),
            "done": None,
            "form": dict(form),
            "error": error,
        }
        return render(request, "admin/users.html", context, user=who.user, status_code=422)
    return RedirectResponse("/admin/users?done=created", status_code=303)


@router.post("/users/{user_id}")
async def update_user(request: Request, user_id: PathId, db: Db, who: Admin) -> Response:
    form = await request.form()
    active = forms.text(form, "active")
    user_service.update_user(
        db,
        who.actor,
        user_id,
        role=forms.choice(form, "role", Role),
        active=None if active is None else active == "1",
    )
    return RedirectResponse("/admin/users?done=updated", status_code=303)
