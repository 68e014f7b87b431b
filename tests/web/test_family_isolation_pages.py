"""The families' pages apply the same visibility policy as the API (issue 11, findings 4 and 5)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy.orm import Session
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import PASSWORD, SAME_ORIGIN, sign_in

from kintrace.domain.person import MissingPerson, PersonName
from kintrace.domain.vocabulary import Claim, Role, SourceKind, Visibility
from kintrace.services import cases as case_service
from kintrace.services import duplicates as duplicate_service
from kintrace.services import evidence as evidence_service
from kintrace.services import sources as source_service
from kintrace.services import users as user_service
from kintrace.services.access import SYSTEM, actor_for
from kintrace.services.cases import RelativeInput
from kintrace.services.evidence import EvidenceInput
from kintrace.services.sources import SourceInput

REPORT = "Бачили в Херсоні біля порту"
RELATIVE = "Мати: Бондаренко Галина"
PHONE = "+380 00 999 8888"


def _world(app: FastAPI) -> dict[str, int]:
    with Session(app.state.engine) as db:

        def family(name: str) -> object:
            return user_service.create_user(
                db, SYSTEM, username=name, password=PASSWORD, role=Role.FAMILY, display_name=name.title()
            )

        first, second, third = family("isol.first"), family("isol.second"), family("isol.third")
        db.flush()
        target = case_service.create_case(db, SYSTEM, MissingPerson(name=PersonName("Ізоляченко", "Петро")))
        merged = case_service.create_case(db, SYSTEM, MissingPerson(name=PersonName("Ізоляченко", "Петро")))
        case_service.link_family_user(db, SYSTEM, target.id, first.id, "reporter")
        case_service.link_family_user(db, SYSTEM, target.id, third.id, "linked")
        case_service.link_family_user(db, SYSTEM, merged.id, second.id, "reporter")
        source = source_service.create_source(
            db, actor_for(second), SourceInput(kind=SourceKind.RELATIVE, name=RELATIVE)
        )
        item = evidence_service.add_evidence(
            db,
            actor_for(second),
            merged.id,
            EvidenceInput(
                claim=Claim.SEEN_AT_PLACE, source_id=source.id, text=REPORT, visibility=Visibility.FAMILY
            ),
        )
        case_service.add_relative(
            db, actor_for(third), target.id, RelativeInput("Ізоляченко Ніна", "aunt", phone=PHONE)
        )
        duplicate_service.merge_cases(db, SYSTEM, target.id, merged.id)
        db.commit()
        return {"case": target.id, "item": item.id}


def test_family_pages_show_neither_another_familys_report_nor_its_contacts(web_app: FastAPI) -> None:
    ids = _world(web_app)
    first = sign_in(web_app, "isol.first", PASSWORD)
    page = first.get(f"/my/cases/{ids['case']}")
    assert page.status_code == 200
    assert REPORT not in page.text and "Бондаренко" not in page.text and PHONE not in page.text
    third = sign_in(web_app, "isol.third", PASSWORD)
    assert PHONE in third.get(f"/my/cases/{ids['case']}").text  # its own contact, to keep up to date

    worker = sign_in(web_app, *CASEWORKER)
    desk = worker.get(f"/desk/cases/{ids['case']}")
    assert REPORT in desk.text and f'action="/desk/evidence/{ids["item"]}/publish"' in desk.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', desk.text).group(1)  # type: ignore[union-attr]
    published = worker.post(
        f"/desk/evidence/{ids['item']}/publish",
        data={"csrf_token": token, "case_id": str(ids["case"])},
        headers=SAME_ORIGIN,
    )
    assert published.status_code == 303 and published.headers["location"].startswith(
        f"/desk/cases/{ids['case']}"
    )
    shown = first.get(f"/my/cases/{ids['case']}").text
    assert REPORT in shown and RELATIVE in shown and PHONE not in shown
