"""Public statistics, without sign-in and without personal data (counts under 5 withheld)."""

from __future__ import annotations

from fastapi import APIRouter

from kintrace.http.deps import Db
from kintrace.services import statistics as statistics_service
from kintrace.services.statistics import PublicStatistics

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get("", response_model=PublicStatistics)
def public_statistics(session: Db) -> PublicStatistics:
    """Verified cases by status on both tracks, and how long requests wait at each authority.

    Open to anyone. A count from 1 to 4 is `null`, and so is any count that, with the others and
    the total, would give one away. An authority is named only with at least 5 pending requests;
    the rest are pooled under `authority: null`. Days pending are counted to today.
    """
    return statistics_service.public_statistics(session)
