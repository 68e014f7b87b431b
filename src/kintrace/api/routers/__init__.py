"""The API's routers, mounted under /api/v1 by the app factory."""

from __future__ import annotations

from fastapi import APIRouter

from kintrace.api.routers import (
    appeals,
    auth,
    cases,
    dna,
    dna_incidents,
    duplicate_candidates,
    duplicates,
    evidence,
    list_matching,
    lists,
    photos,
    relatives,
    reports,
    requests,
    review,
    search_log,
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
    duplicate_candidates.router,
    users.router,
    statistics.router,
    reports.router,
    appeals.router,
    dna.router,
    dna_incidents.router,
    photos.router,
    review.router,
    search_log.router,
    lists.router,
    list_matching.router,
)
