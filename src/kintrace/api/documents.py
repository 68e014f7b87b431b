"""The documents the API hands out in a reader's language: the case dossier, the DNA identification
report and an appeal's letter.

They are written with the web pages' catalogs and labels (`kintrace.web`), which the API may not
import: api/ and web/ stand apart, and the server that assembles both (`kintrace.server.app`) hands
the API the makers when it builds the app. A route asks for them with the `Documents` dependency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from kintrace.dna.markers import Marker
from kintrace.services.access import Actor
from kintrace.services.documents import Document
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import Appeal


class DossierMaker(Protocol):
    def __call__(
        self, session: Session, actor: Actor, case_id: int, language: str, *, internal: bool = False
    ) -> Document: ...


class IdentificationReportMaker(Protocol):
    def __call__(
        self,
        session: Session,
        actor: Actor,
        master: MasterKey,
        markers: Mapping[str, Marker],
        comparison_id: int,
        language: str,
    ) -> Document: ...


class LetterMaker(Protocol):
    def __call__(
        self, session: Session, actor: Actor, appeal: Appeal, today: dt.date | None = None
    ) -> Document: ...


@dataclass(frozen=True)
class DocumentMakers:
    dossier: DossierMaker
    identification_report: IdentificationReportMaker
    letter: LetterMaker


def get_documents(request: Request) -> DocumentMakers:
    makers: DocumentMakers = request.app.state.documents
    return makers


Documents = Annotated[DocumentMakers, Depends(get_documents)]
