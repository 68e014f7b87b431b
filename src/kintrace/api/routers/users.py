"""Accounts (administrators only)."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from kintrace.api.auth import AdminActor
from kintrace.api.schemas import UserCreate, UserOut, UserUpdate
from kintrace.domain.vocabulary import Role
from kintrace.http.deps import Db, PathId
from kintrace.services import users as user_service

router = APIRouter(prefix="/users", tags=["users (admin)"])


@router.get("", response_model=list[UserOut])
def list_users(actor: AdminActor, session: Db, role: Role | None = Query(None)) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in user_service.list_users(session, actor, role)]


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, actor: AdminActor, session: Db) -> UserOut:
    user = user_service.create_user(
        session,
        actor,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        email=body.email,
    )
    return UserOut.model_validate(user)


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: PathId, actor: AdminActor, session: Db) -> UserOut:
    return UserOut.model_validate(user_service.get_user(session, actor, user_id))


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: PathId, body: UserUpdate, actor: AdminActor, session: Db) -> UserOut:
    user = user_service.update_user(
        session,
        actor,
        user_id,
        role=body.role,
        active=body.active,
        display_name=body.display_name,
        email=body.email,
    )
    if body.password is not None:
        user_service.change_password(session, actor, user_id, body.password)
    return UserOut.model_validate(user)
