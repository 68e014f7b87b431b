"""The API's routers, mounted under /api/v1 by the app factory."""

from __future__ import annotations

from fastapi import APIRouter

from kintrace.api.routers import (
    appeals,
    auth,
    cases,
    dna,
    duplicates,
    evidence,
    list_matching,
    relatives,
    reports,
    requests,
    sources,
    statistics,
    status,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    cases.router,
    relatives.router,
    sources.router,
    evidence.router,
    status.router,
    requests.router,
    duplicates.router,
    users.router,
    statistics.router,
    reports.router,
    appeals.router,
    dna.router,
    list_matching.router,
)
