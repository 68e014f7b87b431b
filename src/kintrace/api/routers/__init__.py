"""The API's routers, mounted under /api/v1 by the app factory."""

from __future__ import annotations

from fastapi import APIRouter

from kintrace.api.routers import auth, cases, relatives, users

ROUTERS: tuple[APIRouter, ...] = (auth.router, cases.router, relatives.router, users.router)
