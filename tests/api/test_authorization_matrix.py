"""The authorization matrix, generated from the OpenAPI description (issue 11).

Every operation of `app.openapi()` is called by every role (anonymous, a family, caseworker, analyst,
admin) on every kind of target: the family's own case, a case it shares with another family, another
family's case, a missing id, and on its cases items it must not read (internal ones, and another
family's unpublished report). Each call asserts:

- the status the operation's rule below gives that role (a new operation without a rule fails);
- for a family, a target it may not see answers exactly as a missing one (status, problem type and
  text, the id aside), so nothing tells which ids exist;
- no answer to a family carries another family's names, contacts or reports, or an internal item,
  nor any sample code, laboratory or remains detail (a family sees only who gave samples of its cases,
  the consent and the search log; genotypes are staff's, read with a reason).

Each call runs in a savepoint rolled back afterwards, so every call sees the same world.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.services import list_helpers
from tests.services.dna_helpers import frequency_file, markers, trio

from kintrace.domain.dna_samples import CandidateState, DonorSex, Kinship, MatchBasis
from kintrace.domain.lists import ListKind
from kintrace.domain.vocabulary import AppealDemand, CaseState, Claim, Role, SourceKind, Visibility
from kintrace.services import appeals as appeal_service
from kintrace.services import cases as case_service
from kintrace.services import (
    dna_arrival,
    dna_consent_forms,
    dna_direct,
    dna_incidents,
    dna_matching,
    dna_review,
    dna_samples,
    list_import,
)
from kintrace.services import duplicates as duplicate_service
from kintrace.services import evidence as evidence_service
from kintrace.services import photos as photo_service
from kintrace.services import requests as request_service
from kintrace.services import sources as source_service
from kintrace.services.access import SYSTEM, Actor, actor_for
from kintrace.services.cases import RelativeInput
from kintrace.services.evidence import EvidenceInput
from kintrace.services.genetic_crypto import MasterKey
from kintrace.services.requests import RequestInput
from kintrace.services.sources import SourceInput
from kintrace.store.models import Case, DnaComparison, DnaSample, PublishedList, User

MISSING = 987_654_321
PDF = b"%PDF-1.4\n% matrix\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 100, 50)).save(out, "PNG")
    return out.getvalue()


PNG = _png()

# What a family must never read in any answer: the other family, its relatives, contacts and
# reports, and internal items with their sources.
SECRETS = {
    "other family's missing person": "Тайноваров",
    "other family's relative (source)": "Бондаренко Галина",
    "other family's report": "СОСЕД-В-ХЕРСОНЕ",
    "other family's merged report": "ПИСЬМО-ИЗ-ПЛЕНА",
    "other family's contact phone": "+380 00 765 4321",
    "other family's contact e-mail": "galyna@example.org",
    "third family's contact phone": "+380 00 999 8888",
    "third family's report": "ТРЕТЬЯ-СЕМЬЯ-ВИДЕЛА",
    "internal item": "ВНУТРЕННЯЯ-ЗАПИСЬ",
    "internal source": "Агент Дельта",
    # DNA: every sample code (the family's own included), the laboratory, the collector, and the
    # remains' incident and body numbers (the family hears of those from a caseworker, in person).
    "a sample code": "KTLAB-",
    "other family's sample code": "KTLAB-ТАЙНА-7731",
    "a laboratory": "Лабораторія Тайна",
    "a collector": "Збирач Тайний",
    "remains' incident": "Ділянка Z9",
    "remains' body number": "ТІЛО-",
}

ROLES = ("anonymous", "family", "caseworker", "analyst", "admin")
# Where a family stands: targets it may see, and targets that must read as missing.
SEEN = ("own", "shared")
UNSEEN = ("own-internal", "shared-foreign", "other")


@dataclass(frozen=True)
class Rule:
    """Statuses per role on a target it may see; `public`: no sign-in needed."""

    family_own: frozenset[int]
    family_shared: frozenset[int]
    caseworker: frozenset[int]
    analyst: frozenset[int]
    admin: frozenset[int]
    body: Callable[[Matrix], Any] | None = None
    multipart: bool = False
    public: bool = False
    # The file sent when `multipart` (a small PDF unless given).
    files: Callable[[Matrix], Any] | None = None
    # Which of the world's targets stand for the path parameters: "proposed" reads "comparison_id@proposed"
    # where the world has one (a candidate in the state the operation needs), the plain table elsewhere.
    variant: str | None = None

    def expected(self, role: str, target: str) -> frozenset[int]:
        if role == "family":
            return self.family_shared if target == "shared" else self.family_own
        value: frozenset[int] = getattr(self, role)
        return value


def s(*codes: int) -> frozenset[int]:
    return frozenset(codes)


def everyone(*codes: int, **extra: Any) -> Rule:
    return Rule(s(*codes), s(*codes), s(*codes), s(*codes), s(*codes), **extra)


def staff_only(ok: int, *, analyst: bool = True, **extra: Any) -> Rule:
    return Rule(s(403), s(403), s(ok), s(ok) if analyst else s(403), s(ok), **extra)


def writers(ok: int, **extra: Any) -> Rule:
    """Caseworkers and admins only (analysts read, families see the case but may not do this)."""
    return Rule(s(403), s(403), s(ok), s(403), s(ok), **extra)


TODAY = dt.date.today()

RULES: dict[str, Rule] = {
    "POST /api/v1/auth/login": everyone(
        401, public=True, body=lambda w: {"email": "nobody@example.org", "password": "wrong"}
    ),
    "POST /api/v1/auth/logout": everyone(204),
    "GET /api/v1/auth/me": everyone(200),
    "PATCH /api/v1/auth/me": everyone(200, body=lambda w: {"language": "uk"}),
    # A wrong password: nobody's account is deleted by the matrix, and nobody skips the password.
    "POST /api/v1/auth/me/delete": everyone(422, body=lambda w: {"password": "not the password"}),
    "GET /api/v1/auth/tokens": everyone(200),
    "POST /api/v1/auth/tokens": everyone(201, body=lambda w: {"name": "matrix", "expires_in_days": 5}),
    "DELETE /api/v1/auth/tokens/{token_id}": everyone(204),
    "GET /api/v1/cases": everyone(200),
    "POST /api/v1/cases": Rule(
        s(201),
        s(201),
        s(201),
        s(403),
        s(201),
        body=lambda w: {"person": {"last_name": "Матричний", "first_name": "Андрій"}},
    ),
    "GET /api/v1/cases/{case_id}": everyone(200),
    "PATCH /api/v1/cases/{case_id}": writers(200, body=lambda w: {"assigned_caseworker_id": None}),
    "POST /api/v1/cases/{case_id}/verify": Rule(s(403), s(403), s(200, 409), s(403), s(200, 409)),
    "GET /api/v1/cases/{case_id}/person": everyone(200),
    # The reporting family corrects its own unverified case; not one it was only linked to.
    "PATCH /api/v1/cases/{case_id}/person": Rule(
        s(200), s(403), s(200), s(403), s(200), body=lambda w: {"birth_place": "Київ"}
    ),
    "GET /api/v1/cases/{case_id}/members": everyone(200),
    "POST /api/v1/cases/{case_id}/members": writers(
        201, body=lambda w: {"user_id": w.users["spare"], "relation": "linked"}
    ),
    "DELETE /api/v1/cases/{case_id}/members/{user_id}": writers(204),
    "GET /api/v1/cases/{case_id}/relatives": everyone(200),
    "POST /api/v1/cases/{case_id}/relatives": Rule(
        s(201),
        s(201),
        s(201),
        s(403),
        s(201),
        body=lambda w: {"full_name": "Тітка", "relationship": "aunt"},
    ),
    # Contacts are the entering family's own: another family's record reads, but does not change.
    "PATCH /api/v1/relatives/{relative_id}": Rule(
        s(200), s(403), s(200), s(403), s(200), body=lambda w: {"phone": "+380 00 000 0001"}
    ),
    # On a relative who gave no DNA sample (a donor stays on record: see test_a_dna_donor_is_not_deleted).
    "DELETE /api/v1/relatives/{relative_id}": writers(204, variant="no-sample"),
    "GET /api/v1/sources": staff_only(200),
    "POST /api/v1/sources": Rule(
        s(201), s(201), s(201), s(403), s(201), body=lambda w: {"kind": "relative", "name": "Тітка"}
    ),
    "GET /api/v1/sources/{source_id}": staff_only(200),
    "PATCH /api/v1/sources/{source_id}": writers(200, body=lambda w: {"notes": "перевірено"}),
    "GET /api/v1/cases/{case_id}/evidence": everyone(200),
    "POST /api/v1/cases/{case_id}/evidence": Rule(
        s(201),
        s(201),
        s(201),
        s(403),
        s(201),
        body=lambda w: {"source_id": w.ids["own_source"], "claim": "alive", "visibility": "family"},
    ),
    "GET /api/v1/evidence/{evidence_id}": everyone(200),
    "PATCH /api/v1/evidence/{evidence_id}": writers(200, body=lambda w: {"place": "Запоріжжя"}),
    "DELETE /api/v1/evidence/{evidence_id}": writers(204),
    "POST /api/v1/evidence/{evidence_id}/publish": writers(200),
    # A family attaches files to its own reports only.
    "POST /api/v1/evidence/{evidence_id}/attachments": Rule(
        s(201), s(403), s(201), s(403), s(201), multipart=True
    ),
    "GET /api/v1/attachments/{attachment_id}": everyone(200),
    "GET /api/v1/cases/{case_id}/photos": everyone(200),
    # Any family of the case may add a photo; analysts read only.
    "POST /api/v1/cases/{case_id}/photos": Rule(
        s(201),
        s(201),
        s(201),
        s(403),
        s(201),
        multipart=True,
        files=lambda w: {"file": ("p.png", PNG, "image/png")},
    ),
    "GET /api/v1/photos/{photo_id}": everyone(200),
    # The family that gave a photo removes it; a staff photo on a shared case is not the family's.
    "DELETE /api/v1/photos/{photo_id}": Rule(s(204), s(403), s(204), s(403), s(204)),
    "GET /api/v1/cases/{case_id}/status": everyone(200),
    "GET /api/v1/cases/{case_id}/status/history": everyone(200),
    "POST /api/v1/cases/{case_id}/status/official": writers(
        201, body=lambda w: {"status": "confirmed_captured", "since": "2024-05", "reason": "Лист"}
    ),
    "GET /api/v1/cases/{case_id}/requests": everyone(200),
    "POST /api/v1/cases/{case_id}/requests": writers(
        201,
        body=lambda w: {
            "requested_status": "confirmed_captured",
            "authority": "Координаційний штаб",
            "submitted_on": (TODAY - dt.timedelta(days=3)).isoformat(),
        },
    ),
    "GET /api/v1/requests/{request_id}": everyone(200),
    "POST /api/v1/requests/{request_id}/answers": writers(
        201, body=lambda w: {"received_on": TODAY.isoformat(), "outcome": "granted", "text": "Так"}
    ),
    "POST /api/v1/requests/{request_id}/withdraw": writers(200),
    "GET /api/v1/overdue": everyone(200),
    "GET /api/v1/cases/{case_id}/contradictions": everyone(200),
    # Candidate duplicates name other cases: staff work, not shown to families.
    "GET /api/v1/cases/{case_id}/duplicates": staff_only(200),
    # The engine's candidate pairs name other families' cases too: staff only.
    "GET /api/v1/duplicates": staff_only(200),
    "GET /api/v1/cases/{case_id}/duplicate-candidates": staff_only(200),
    "POST /api/v1/cases/{case_id}/duplicates": Rule(
        s(403, 404),
        s(403, 404),
        s(201),
        s(201),
        s(201),
        body=lambda w: {"other_case_id": w.ids["spare_case"]},
    ),
    "DELETE /api/v1/duplicates/{link_id}": Rule(s(403, 404), s(403, 404), s(204), s(204), s(204)),
    "GET /api/v1/cases/{case_id}/merges": everyone(200),
    "POST /api/v1/cases/{case_id}/merges": Rule(
        s(403, 404),
        s(403, 404),
        s(201),
        s(403),
        s(201),
        body=lambda w: {"merged_case_id": w.ids["spare_case"]},
    ),
    "POST /api/v1/merges/{merge_id}/undo": writers(200),
    "GET /api/v1/users": Rule(s(403), s(403), s(403), s(403), s(200)),
    "POST /api/v1/users": Rule(
        s(403),
        s(403),
        s(403),
        s(403),
        s(201),
        body=lambda w: {
            "username": "matrix.user",
            "display_name": "Matrix",
            "role": "family",
            "password": "quiet harbour lantern 7",
        },
    ),
    # Accounts are the admins' (one's own is GET /auth/me); anyone else's id reads like a missing one.
    "GET /api/v1/users/{user_id}": Rule(s(403), s(403), s(403), s(403), s(200)),
    "PATCH /api/v1/users/{user_id}": Rule(
        s(403), s(403), s(403), s(403), s(200), body=lambda w: {"display_name": "Renamed"}
    ),
    # Public figures without names (small counts withheld): no sign-in at all.
    "GET /api/v1/statistics": everyone(200, public=True),
    "GET /api/v1/reports/overdue": staff_only(200),
    # A dossier is made by caseworkers for authorities; a family's own case is seen, the dossier refused.
    "GET /api/v1/cases/{case_id}/dossier": writers(200),
    # Collective appeals: drafts are open to every family to join; a sent one only to its signatories.
    "GET /api/v1/appeals": everyone(200),
    "POST /api/v1/appeals": writers(
        201, body=lambda w: {"title": "Звернення", "authority": "Штаб", "demand": "active_search"}
    ),
    "GET /api/v1/appeals/{appeal_id}": everyone(200),
    "PUT /api/v1/appeals/{appeal_id}": Rule(
        s(403),
        s(403),
        s(200, 409),
        s(403),
        s(200, 409),
        body=lambda w: {"title": "Звернення", "authority": "Штаб", "demand": "dna_testing"},
    ),
    "POST /api/v1/appeals/{appeal_id}/cases": Rule(
        s(403),
        s(403),
        s(201, 409),
        s(403),
        s(201, 409),
        body=lambda w: {"case_id": w.ids["spare_case"], "signatory": "Х", "consent_on": TODAY.isoformat()},
    ),
    # A family joins with its own open case; staff record a family's consent with POST .../cases instead.
    "POST /api/v1/appeals/{appeal_id}/join": Rule(
        s(201),
        s(201),
        s(403),
        s(403),
        s(403),
        body=lambda w: {"case_id": w.ids["family_open_case"], "signatory": "Олена", "consent": True},
    ),
    # The draft holds the shared case, signed for the other family: this family may not withdraw it.
    "DELETE /api/v1/appeals/{appeal_id}/cases/{case_id}": Rule(
        s(404), s(403), s(204, 404, 409), s(404, 409), s(204, 404, 409)
    ),
    "GET /api/v1/appeals/{appeal_id}/letter": Rule(s(403), s(403), s(200), s(403), s(200)),
    "POST /api/v1/appeals/{appeal_id}/send": Rule(
        s(403),
        s(403),
        s(200, 409),
        s(403),
        s(200, 409),
        body=lambda w: {"sent_on": TODAY.isoformat(), "channel": "пошта"},
    ),
    "POST /api/v1/appeals/{appeal_id}/answers": Rule(
        s(403),
        s(403),
        s(201, 409),
        s(403),
        s(201, 409),
        body=lambda w: {"received_on": TODAY.isoformat(), "text": "Розглянуто"},
    ),
    "PUT /api/v1/appeals/{appeal_id}/cases/{case_id}/outcome": Rule(
        s(403), s(403), s(200, 404, 409), s(403), s(200, 404, 409), body=lambda w: {"outcome": "granted"}
    ),
    "GET /api/v1/cases/{case_id}/appeals": everyone(200),
    # DNA. Samples, consent and custody are written by caseworkers and admins; a family sees who gave
    # its cases' samples and the consent (GET .../dna/samples) and the search log, nothing else.
    "POST /api/v1/cases/{case_id}/dna/samples": writers(
        201,
        body=lambda w: {
            "code": "KTLAB-NEW-REF",
            "relative_id": w.ids["own_sibling"],
            "kinship": "full_sibling",
            "donor_sex": "male",
            "collected_on": TODAY.isoformat(),
            "collector": "Збирач Тайний",
            "laboratory": "Лабораторія Тайна",
            "consent_on": TODAY.isoformat(),
        },
    ),
    "GET /api/v1/cases/{case_id}/dna/samples": everyone(200),
    "GET /api/v1/cases/{case_id}/dna/search-log": everyone(200),
    "POST /api/v1/dna/remains": writers(
        201,
        body=lambda w: {
            "code": "KTLAB-NEW-BODY",
            "incident": "Ділянка Z9",
            "recovered_on": TODAY.isoformat(),
            "body_number": "ТІЛО-99",
            "laboratory": "Лабораторія Тайна",
        },
    ),
    # A personal effect of the missing person: recorded by caseworkers and admins like a sample.
    "POST /api/v1/cases/{case_id}/dna/personal-effects": writers(
        201,
        body=lambda w: {
            "code": "KTLAB-NEW-EFFECT",
            "item": "зубна щітка",
            "handed_over_by": "Збирач Тайний",
            "handed_over_on": TODAY.isoformat(),
            "laboratory": "Лабораторія Тайна",
        },
    ),
    "GET /api/v1/dna/samples": staff_only(200),
    "GET /api/v1/dna/samples/{sample_id}": staff_only(200),
    "POST /api/v1/dna/samples/{sample_id}/custody": writers(
        201, body=lambda w: {"step": "sent", "on": TODAY.isoformat(), "by": "Кур'єр"}
    ),
    # The donor withdraws her own consent; a family may not for another donor (read as not found,
    # as every sample not its own to withdraw), a caseworker may for the donor, an analyst may not.
    "POST /api/v1/dna/samples/{sample_id}/withdraw-consent": Rule(
        s(200), s(404), s(200), s(403), s(200), body=lambda w: {"note": "відкликано"}
    ),
    # The signed consent form: caseworkers and admins upload it, staff download it, never a family.
    "POST /api/v1/dna/samples/{sample_id}/consent-form": writers(200, multipart=True),
    "GET /api/v1/dna/samples/{sample_id}/consent-form": staff_only(200),
    # Lab exports are imported by staff (analysts included: they work the lab's data), never a family.
    "POST /api/v1/dna/profiles/import": Rule(
        s(403),
        s(403),
        s(201),
        s(201),
        s(201),
        multipart=True,
        files=lambda w: {"file": ("export.csv", w.world["export"], "text/csv")},
    ),
    # Genotypes: staff only, one profile at a time, with a reason (audited).
    "POST /api/v1/dna/samples/{sample_id}/genotypes": staff_only(
        200, body=lambda w: {"reason": "перевірка якості"}
    ),
    # Genotypes leave the registry only on an analyst's (or an admin's) request, with a reason.
    "POST /api/v1/dna/profiles/export": Rule(
        s(403),
        s(403),
        s(403),
        s(200),
        s(200),
        body=lambda w: {"reason": "друга думка лабораторії", "sample_codes": ["KTLAB-B4"]},
    ),
    "GET /api/v1/dna/candidates": staff_only(200),
    # The family's reference strength and whom to ask next: staff read and compute it (a family reads
    # plain words on its DNA page, never the figures).
    "GET /api/v1/cases/{case_id}/dna/strength": staff_only(200),
    "POST /api/v1/cases/{case_id}/dna/strength": staff_only(200),
    # Four eyes: analysts propose, a second analyst confirms, either rejects; a caseworker tells the family.
    "POST /api/v1/dna/candidates/{comparison_id}/propose": Rule(
        s(403), s(403), s(403), s(200), s(403), body=lambda w: {"reason": "сильний збіг"}
    ),
    "POST /api/v1/dna/candidates/{comparison_id}/confirm": Rule(
        s(403),
        s(403),
        s(403),
        s(200),
        s(403),
        body=lambda w: {"reason": "перевірено"},
        variant="proposed",
    ),
    "POST /api/v1/dna/candidates/{comparison_id}/reject": Rule(
        s(403), s(403), s(403), s(200), s(403), body=lambda w: {"reason": "слабкий збіг"}
    ),
    # The identification report: staff read it (its SHA-256 audited); never a family.
    "GET /api/v1/dna/candidates/{comparison_id}/report": staff_only(200),
    "POST /api/v1/dna/candidates/{comparison_id}/family-told": writers(
        200, body=lambda w: {"on": TODAY.isoformat()}, variant="confirmed"
    ),
    # Incidents and their joint identification: staff read and add; analysts propose into the four-eyes
    # review; a family never (they name remains and other families' cases).
    "GET /api/v1/dna/incidents": staff_only(200),
    "POST /api/v1/dna/incidents": staff_only(
        201, body=lambda w: {"name": "Ровок НОВИЙ", "kind": "mass_grave", "occurred_on": "2022-03"}
    ),
    "GET /api/v1/dna/incidents/{incident_id}": staff_only(200),
    "POST /api/v1/dna/incidents/{incident_id}/cases": staff_only(
        201, body=lambda w: {"case_id": w.ids["spare_case"]}
    ),
    "DELETE /api/v1/dna/incidents/{incident_id}/cases/{case_id}": staff_only(204),
    "GET /api/v1/dna/incidents/{incident_id}/joint": staff_only(200),
    "POST /api/v1/dna/incidents/{incident_id}/proposals": Rule(
        s(403),
        s(403),
        s(403),
        s(200),
        s(403),
        body=lambda w: {
            "remains_sample_id": w.ids["incident_remains"],
            "case_id": w.ids["incident_case"],
            "reason": "спільний збіг",
        },
    ),
    # Remains against remains: staff read the associations and fragment groups, analysts review them
    # (four eyes, as identifications); families never reach them.
    "GET /api/v1/dna/associations": staff_only(200),
    "POST /api/v1/dna/associations/{association_id}/propose": Rule(
        s(403), s(403), s(403), s(200), s(403), body=lambda w: {"reason": "той самий профіль"}
    ),
    "POST /api/v1/dna/associations/{association_id}/confirm": Rule(
        s(403),
        s(403),
        s(403),
        s(200),
        s(403),
        body=lambda w: {"reason": "перевірено"},
        variant="proposed",
    ),
    "POST /api/v1/dna/associations/{association_id}/reject": Rule(
        s(403), s(403), s(403), s(200), s(403), body=lambda w: {"reason": "різні люди"}
    ),
    "GET /api/v1/dna/fragment-groups": staff_only(200),
    # List matches: staff read the queue, caseworkers and admins decide; families never reach it.
    "GET /api/v1/review": staff_only(200),
    "GET /api/v1/review/{pair_id}": staff_only(200),
    "POST /api/v1/review/{pair_id}/decision": writers(
        200, body=lambda w: {"decision": "rejected", "reason": "інший рік народження"}
    ),
    # Published lists: a family reads the search log of its cases and gives or withdraws its consent to
    # list matching; staff read every log, caseworkers record a family's consent with how it was given.
    "GET /api/v1/cases/{case_id}/search-log": everyone(200),
    "PUT /api/v1/cases/{case_id}/list-matching-consent": Rule(
        s(200), s(200), s(200), s(403), s(200), body=lambda w: {"consent": True, "basis": "told by phone"}
    ),
    # Published lists: caseworkers and admins import, staff read; a family reads no list at all (its
    # case page says which lists the case was checked against).
    "POST /api/v1/lists": writers(
        201,
        multipart=True,
        files=lambda w: {
            "file": ("list.csv", "Прізвище;Ім'я\nМатричний;Андрій\n".encode(), "text/csv"),
            "title": (None, "Полонені"),
            "publisher": (None, "Координаційний штаб"),
            "kind": (None, "prisoners"),
        },
    ),
    "GET /api/v1/lists": staff_only(200),
    "GET /api/v1/lists/{list_id}": staff_only(200),
    "GET /api/v1/lists/{list_id}/entries": staff_only(200),
    # Published lists are matched by staff (analysts included: they run the linkage), never a family.
    "POST /api/v1/lists/{list_id}/match": staff_only(200),
}


def _user(session: Session, name: str, role: Role) -> User:
    user = User(
        username=name,
        display_name=name.title(),
        email=f"{name}@example.org",
        role=role,
        password_hash="!",
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def _case(session: Session, actor: Actor, last_name: str, *members: tuple[User, str]) -> Case:
    from kintrace.domain.person import MissingPerson, PersonName

    case = case_service.create_case(
        session,
        SYSTEM if actor.is_family else actor,
        MissingPerson(name=PersonName(last_name, "Андрій", "Петрович")),
    )
    for user, relation in members:
        case_service.link_family_user(session, SYSTEM, case.id, user.id, relation)
    return case


def _report(
    session: Session, family: User, case_id: int, source: str, text: str, root: Path | None
) -> tuple[int, int, int]:
    """A family's own report with an attachment: (item, source, attachment) ids."""
    actor = actor_for(family)
    made = source_service.create_source(session, actor, SourceInput(kind=SourceKind.RELATIVE, name=source))
    item = evidence_service.add_evidence(
        session,
        actor,
        case_id,
        EvidenceInput(claim=Claim.SEEN_AT_PLACE, source_id=made.id, text=text, visibility=Visibility.FAMILY),
    )
    attachment = evidence_service.add_attachment(
        session, actor, item.id, filename="note.pdf", data=PDF, root=root
    )
    return item.id, made.id, attachment.id


def _staff_item(
    session: Session, case_id: int, source_id: int, text: str, visibility: Visibility, root: Path | None
) -> tuple[int, int]:
    item = evidence_service.add_evidence(
        session,
        SYSTEM,
        case_id,
        EvidenceInput(claim=Claim.CAPTURED, source_id=source_id, text=text, visibility=visibility),
    )
    attachment = evidence_service.add_attachment(
        session, SYSTEM, item.id, filename="scan.pdf", data=PDF, root=root
    )
    return item.id, attachment.id


def _reference(
    session: Session, case_id: int, relative_id: int, code: str, kinship: Kinship, sex: DonorSex
) -> int:
    made = dna_samples.add_reference(
        session,
        SYSTEM,
        case_id,
        dna_samples.ReferenceInput(
            code=code,
            relative_id=relative_id,
            kinship=kinship,
            donor_sex=sex,
            collected_on=TODAY,
            collector="Збирач Тайний",
            laboratory="Лабораторія Тайна",
            consent_on=TODAY,
        ),
    )
    return made.id


def _remains(session: Session, code: str) -> int:
    made = dna_samples.add_remains(
        session,
        SYSTEM,
        dna_samples.RemainsInput(
            code=code,
            incident="Ділянка Z9",
            recovered_on=TODAY,
            body_number=f"ТІЛО-{code[-1]}",
            laboratory="Лабораторія Тайна",
        ),
    )
    return made.id


def _export(profiles: dict[str, dict[str, tuple[str, str]]]) -> bytes:
    lines = ["sample_id,marker,allele1,allele2"]
    for code, genotypes in profiles.items():
        lines += [f"{code},{m},{a},{b}" for m, (a, b) in genotypes.items()]
    return ("\n".join(lines) + "\n").encode()


def build_dna(
    session: Session, key: MasterKey, folder: Path, cases: dict[str, Case], relatives: dict[str, int]
) -> dict[str, Any]:
    """Samples, encrypted profiles and stored comparisons for the DNA operations' targets.

    The own case: references from the family's own account (the mother) and the staff-entered father;
    the shared case: the other family's relative; the other family's case: its own mother. Three
    remains samples are the own family's son (one a candidate, one proposed, one confirmed... to the shared
    case, through a personal effect: a confirmed identification of the own case would refuse a second),
    one is a stranger, and one waits for its profile (the import operation's file). The son's three
    bodies are proposed as one person (associations: one candidate, one proposed).
    """
    own, shared, foreign = cases["own"], cases["shared"], cases["other"]
    mother = _reference(session, own.id, relatives["mine"], "KTLAB-OWN-M", Kinship.MOTHER, DonorSex.FEMALE)
    _reference(session, own.id, relatives["father"], "KTLAB-OWN-F", Kinship.FATHER, DonorSex.MALE)
    # The mother's signed consent form is on file: staff download it, no family does.
    dna_consent_forms.attach_form(session, SYSTEM, mother, filename="згода.pdf", data=PDF)
    aunt = _reference(
        session,
        shared.id,
        relatives["theirs"],
        "KTLAB-SHARED-A",
        Kinship.MATERNAL_UNCLE_OR_AUNT,
        DonorSex.FEMALE,
    )
    other = _reference(
        session, foreign.id, relatives["foreign"], "KTLAB-ТАЙНА-7731", Kinship.MOTHER, DonorSex.FEMALE
    )
    bodies = {code: _remains(session, code) for code in ("KTLAB-B1", "KTLAB-B2", "KTLAB-B3", "KTLAB-B4")}
    _remains(session, "KTLAB-B5")
    dna_samples.add_personal_effect(
        session,
        SYSTEM,
        shared.id,
        dna_samples.PersonalEffectInput(
            "KTLAB-SHARED-T", "зубна щітка", "Збирач Тайний", TODAY, "Лабораторія Тайна"
        ),
    )
    dna, strangers = trio(7), trio(99)
    profiles = {
        "KTLAB-OWN-M": dna.mother,
        "KTLAB-OWN-F": dna.father,
        "KTLAB-SHARED-A": strangers.father,
        "KTLAB-ТАЙНА-7731": strangers.mother,
        "KTLAB-B1": dna.son,
        "KTLAB-B2": dna.son,
        "KTLAB-B3": dna.son,
        "KTLAB-B4": dna.stranger,
        "KTLAB-SHARED-T": dna.stranger,
    }
    export = folder / "matrix-export.csv"
    export.write_bytes(_export(profiles))
    dna_arrival.import_and_match(session, SYSTEM, key, markers(folder), export)
    # Arrival stores only the strong pairs; the exact path stores every pair, so that weak ones
    # (a stranger's remains against the own case...) exist as targets too.
    dna_matching.compare_exact(session, SYSTEM, key, markers(folder), reason="the matrix's targets")

    def comparison(body: str, case: Case) -> int:
        row = session.scalars(
            select(DnaComparison).where(
                DnaComparison.remains_sample_id == bodies[body],
                DnaComparison.case_id == case.id,
                DnaComparison.basis == MatchBasis.KINSHIP,
            )
        ).one()
        return row.id

    analyst_b, analyst_c = (actor_for(_user(session, name, Role.ANALYST)) for name in ("an.b", "an.c"))
    proposed = comparison("KTLAB-B2", own)
    confirmed = session.scalars(
        select(DnaComparison.id).where(
            DnaComparison.remains_sample_id == bodies["KTLAB-B4"],
            DnaComparison.basis == MatchBasis.PERSONAL_EFFECT,
        )
    ).one()
    dna_review.propose(session, analyst_b, proposed, "збіг")
    dna_review.propose(session, analyst_b, confirmed, "збіг")
    dna_review.confirm(session, analyst_c, confirmed, "перевірено")
    links = {
        (row.first.code, row.second.code): row.id
        for row in dna_direct.list_associations(session, SYSTEM, state=CandidateState.CANDIDATE)
    }
    assert set(links) == {("KTLAB-B1", "KTLAB-B2"), ("KTLAB-B1", "KTLAB-B3"), ("KTLAB-B2", "KTLAB-B3")}
    dna_direct.propose_association(session, analyst_b, links[("KTLAB-B2", "KTLAB-B3")], "той самий")
    theirs = comparison("KTLAB-B1", shared)
    # The bodies' incident, with the own and the shared case considered for it.
    [incident] = {session.get(DnaSample, body).incident_id for body in bodies.values()}
    assert incident is not None
    for case in (own, shared):
        dna_incidents.add_case(session, SYSTEM, incident, case.id)
    return {
        "ids": {"incident_remains": bodies["KTLAB-B1"], "incident_case": own.id},
        "export": _export({"KTLAB-B5": strangers.son}),
        "params": {
            # Remains are never a family's to see, not even those compared with its own case.
            "sample_id": {
                "own": mother,
                "own-internal": bodies["KTLAB-B1"],
                "shared": aunt,
                "shared-foreign": bodies["KTLAB-B4"],
                "other": other,
            },
            "comparison_id": {
                "own": comparison("KTLAB-B1", own),
                "own-internal": comparison("KTLAB-B4", own),
                "shared": theirs,
                "shared-foreign": comparison("KTLAB-B4", shared),
                "other": comparison("KTLAB-B1", foreign),
            },
            "comparison_id@proposed": {"own": proposed},
            "incident_id": dict.fromkeys(
                ("own", "own-internal", "shared", "shared-foreign", "other"), incident
            ),
            "comparison_id@confirmed": {"own": confirmed},
            # Associations are staff's alone: a family is refused before any is read.
            "association_id": dict.fromkeys(
                ("own", "own-internal", "shared", "shared-foreign", "other"), links[("KTLAB-B1", "KTLAB-B2")]
            ),
            "association_id@proposed": {"own": links[("KTLAB-B2", "KTLAB-B3")]},
        },
    }


def _list_pairs(session: Session, cases: dict[str, Case]) -> dict[str, int]:
    """A published list with one candidate pair per case (as the matcher leaves them)."""
    listed = list_helpers.published_list(session, title="Список обміну", publisher="Коордштаб")
    ids = {}
    for row, (target, case) in enumerate(cases.items(), start=2):
        ids[target] = list_helpers.pair(session, listed, list_helpers.entry(session, listed, row), case).id
    return {
        "own": ids["own"],
        "own-internal": ids["own"],
        "shared": ids["shared"],
        "shared-foreign": ids["shared"],
        "other": ids["other"],
    }


def build_world(session: Session, key: MasterKey, folder: Path, root: Path | None = None) -> dict[str, Any]:
    """The cases, items and people of the matrix (written through the services, as the app would)."""
    family = _user(session, "fam.a", Role.FAMILY)
    other = _user(session, "fam.b", Role.FAMILY)
    third = _user(session, "fam.c", Role.FAMILY)
    spare = _user(session, "fam.d", Role.FAMILY)
    staff = {role: _user(session, role.value, role) for role in (Role.CASEWORKER, Role.ANALYST, Role.ADMIN)}
    # The family's own case, to which a third family was linked later (finding 4's situation).
    own = _case(session, SYSTEM, "Свійченко", (family, "reporter"), (third, "linked"))
    own.state = CaseState.UNVERIFIED
    shared = _case(session, SYSTEM, "Спільненко", (other, "reporter"), (family, "linked"))
    foreign = _case(session, SYSTEM, "Тайноваров", (other, "reporter"))
    spare_case = _case(session, SYSTEM, "Запасний")
    merged_away = _case(session, SYSTEM, "Злитий", (other, "reporter"))
    linked_away = _case(session, SYSTEM, "Дубльований")

    official = source_service.create_source(
        session, SYSTEM, SourceInput(kind=SourceKind.OFFICIAL_BODY, name="Агент Дельта")
    )
    public = source_service.create_source(
        session, SYSTEM, SourceInput(kind=SourceKind.OFFICIAL_BODY, name="ЗСУ")
    )
    own_item, own_source, own_attachment = _report(
        session, family, own.id, "Мати: Свійченко Олена", "Бачили", root
    )
    internal, internal_attachment = _staff_item(
        session, own.id, official.id, "ВНУТРЕННЯЯ-ЗАПИСЬ", Visibility.INTERNAL, root
    )
    shared_item, shared_attachment = _staff_item(
        session, shared.id, public.id, "Повідомлення штабу", Visibility.FAMILY, root
    )
    _staff_item(session, shared.id, official.id, "ВНУТРЕННЯЯ-ЗАПИСЬ-2", Visibility.INTERNAL, root)
    foreign_item, foreign_source, foreign_attachment = _report(
        session, other, shared.id, "Мать: Бондаренко Галина", "СОСЕД-В-ХЕРСОНЕ", root
    )
    other_item, other_source, other_attachment = _report(
        session, other, foreign.id, "Мать: Бондаренко Галина", "СОСЕД-В-ХЕРСОНЕ", root
    )
    _report(session, other, merged_away.id, "Брат: Бондаренко Петро", "ПИСЬМО-ИЗ-ПЛЕНА", root)
    merge = duplicate_service.merge_cases(session, SYSTEM, own.id, merged_away.id)
    other_merge = duplicate_service.merge_cases(
        session, SYSTEM, foreign.id, _case(session, SYSTEM, "Інший").id
    )

    mine = case_service.add_relative(
        session,
        actor_for(family),
        own.id,
        RelativeInput("Свійченко Олена", "mother", True, phone="+380 00 111 2233", user_id=family.id),
    )
    case_service.add_relative(
        session, actor_for(third), own.id, RelativeInput("Свійченко Ніна", "aunt", phone="+380 00 999 8888")
    )
    _report(session, third, own.id, "Тітка: Свійченко Ніна", "ТРЕТЬЯ-СЕМЬЯ-ВИДЕЛА", root)
    staff_entered = case_service.add_relative(
        session, SYSTEM, own.id, RelativeInput("Свійченко Ігор", "father")
    )
    # Its name is seen by the linked family (a relative of the same person); its contacts are not.
    theirs = case_service.add_relative(
        session,
        actor_for(other),
        shared.id,
        RelativeInput("Бондаренко Оксана", "aunt", phone="+380 00 765 4321", email="galyna@example.org"),
    )
    foreign_relative = case_service.add_relative(
        session,
        actor_for(other),
        foreign.id,
        RelativeInput("Бондаренко Галина", "mother", True, phone="+380 00 765 4321", user_id=other.id),
    )

    def request(case_id: int, evidence: list[int]) -> int:
        made = request_service.submit_request(
            session,
            SYSTEM,
            case_id,
            RequestInput(
                requested_status="confirmed_captured",
                authority="Штаб",
                submitted_on=TODAY - dt.timedelta(days=40),
                evidence_ids=evidence,
            ),
        )
        return made.id

    own_request = request(own.id, [own_item, internal])
    shared_request = request(shared.id, [shared_item, foreign_item])
    other_request = request(foreign.id, [other_item])
    family_open = _case(session, SYSTEM, "Відкритенко", (family, "reporter"))
    draft = appeal_service.create_appeal(
        session, SYSTEM, appeal_service.AppealInput("Чернетка", "Штаб", AppealDemand.STATUS_CHANGE, "")
    )
    # Signed for the other family on the case both follow: its signatory's name is theirs, not seen here.
    appeal_service.add_case(
        session, SYSTEM, draft.id, shared.id, signatory="Бондаренко Галина", consent_on=TODAY
    )
    sent = appeal_service.create_appeal(
        session, SYSTEM, appeal_service.AppealInput("Надіслане", "Штаб", AppealDemand.STATUS_CHANGE, "")
    )
    appeal_service.add_case(
        session, SYSTEM, sent.id, foreign.id, signatory="Бондаренко Галина", consent_on=TODAY
    )
    appeal_service.mark_sent(
        session, SYSTEM, sent.id, sent_on=TODAY, channel="пошта", reference_number=None, letter_sha256=None
    )

    def photo(who: Actor, case_id: int) -> int:
        return photo_service.add_photo(session, who, case_id, PNG).id

    photos = {
        "own": photo(actor_for(family), own.id),
        "own-internal": photo(actor_for(third), own.id),  # the linked third family's: not this family's
        "shared": photo(SYSTEM, shared.id),
        "shared-foreign": photo(actor_for(other), shared.id),
        "other": photo(actor_for(other), foreign.id),
    }
    own_link = duplicate_service.link_duplicates(session, SYSTEM, own.id, linked_away.id)
    other_link = duplicate_service.link_duplicates(session, SYSTEM, foreign.id, spare_case.id)
    # A brother not yet sampled: the reference the add-sample operation records.
    sibling = case_service.add_relative(session, SYSTEM, own.id, RelativeInput("Свійченко Марко", "brother"))
    dna = build_dna(
        session,
        key,
        folder,
        {"own": own, "shared": shared, "other": foreign},
        {"mine": mine.id, "father": staff_entered.id, "theirs": theirs.id, "foreign": foreign_relative.id},
    )
    published = _published_list(session)
    session.flush()
    everyone_ = {"family": family, "other": other, "spare": spare, **{r.value: u for r, u in staff.items()}}
    params = {
        "case_id": {
            "own": own.id,
            "own-internal": own.id,
            "shared": shared.id,
            "shared-foreign": shared.id,
            "other": foreign.id,
        },
        "evidence_id": {
            "own": own_item,
            "own-internal": internal,
            "shared": shared_item,
            "shared-foreign": foreign_item,
            "other": other_item,
        },
        "photo_id": photos,
        "attachment_id": {
            "own": own_attachment,
            "own-internal": internal_attachment,
            "shared": shared_attachment,
            "shared-foreign": foreign_attachment,
            "other": other_attachment,
        },
        "relative_id": {
            "own": mine.id,
            "own-internal": mine.id,
            "shared": theirs.id,
            "shared-foreign": theirs.id,
            "other": foreign_relative.id,
        },
        "source_id": {
            "own": own_source,
            "own-internal": official.id,
            "shared": public.id,
            "shared-foreign": foreign_source,
            "other": other_source,
        },
        "request_id": {
            "own": own_request,
            "own-internal": own_request,
            "shared": shared_request,
            "shared-foreign": shared_request,
            "other": other_request,
        },
        "link_id": {
            "own": own_link.id,
            "own-internal": own_link.id,
            "shared": own_link.id,
            "shared-foreign": own_link.id,
            "other": other_link.id,
        },
        "appeal_id": {
            "own": draft.id,
            "own-internal": draft.id,
            "shared": draft.id,
            "shared-foreign": draft.id,
            "other": sent.id,
        },
        "merge_id": {
            "own": merge.id,
            "own-internal": merge.id,
            "shared": merge.id,
            "shared-foreign": merge.id,
            "other": other_merge.id,
        },
        "relative_id@no-sample": {"own": sibling.id, "own-internal": sibling.id},
        "pair_id": _list_pairs(session, {"own": own, "shared": shared, "other": foreign}),
        # A list is no family's: every target is the one list (a family is refused before it is read).
        "list_id": dict.fromkeys(("own", "own-internal", "shared", "shared-foreign", "other"), published.id),
        **dna["params"],
    }
    return {
        "users": everyone_,
        "params": params,
        "ids": {
            "own_source": own_source,
            "spare_case": spare_case.id,
            "family_open_case": family_open.id,
            "own_sibling": sibling.id,
            **dna["ids"],
        },
        "export": dna["export"],
    }


def _published_list(session: Session) -> PublishedList:
    imported = list_import.import_list(
        session,
        SYSTEM,
        "Прізвище;Ім'я;Дата народження\nСвійченко;Андрій;1990\n".encode(),
        "prisoners.csv",
        title="Полонені, листопад",
        publisher="Координаційний штаб",
        published_on="2026-11-20",
        kind=ListKind.PRISONERS,
    )
    found = session.get(PublishedList, imported.list_id)
    assert found is not None
    return found


def operations_of(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    """(method, path, path parameters) of every operation in the app's OpenAPI description."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            found.append((method.upper(), path, names))
    return found


def test_every_operation_has_a_rule(app: FastAPI) -> None:
    described = {f"{method} {path}" for method, path, _ in operations_of(app)}
    assert described - set(RULES) == set(), "operations without a rule in the authorization matrix"
    assert set(RULES) - described == set(), "rules for operations that no longer exist"


def _normalised(response: Any) -> tuple[int, str]:
    """The answer as the caller reads it, every number blanked (ids of other things must not matter)."""
    try:
        body = response.json()
    except ValueError:
        return response.status_code, re.sub(r"\d+", "N", response.text)
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "instance"}
    return response.status_code, re.sub(r"\d+", "N", json.dumps(body, ensure_ascii=False, sort_keys=True))


@dataclass
class Matrix:
    app: FastAPI
    client: TestClient
    connection: Any
    world: dict[str, Any]
    headers: dict[str, dict[str, str]]
    token_ids: dict[str, int]
    problems: list[str] = field(default_factory=list)
    calls: int = 0

    def url(self, role: str, path: str, names: list[str], target: str, rule: Rule | None = None) -> str:
        users = self.world["users"]
        params = self.world["params"]
        values: dict[str, int] = {}
        for name in names:
            if target == "missing":
                values[name] = MISSING
            elif name == "user_id":
                if path.endswith("/members/{user_id}"):
                    values[name] = users["family"].id  # a member of the family's own case
                else:
                    values[name] = users["other"].id if target == "other" else users[_who(role)].id
            elif name == "token_id":
                values[name] = self.token_ids["other" if target == "other" else _who(role)]
            else:
                variant = params.get(f"{name}@{rule.variant}", {}) if rule and rule.variant else {}
                values[name] = variant.get(target, params[name][target])
        return path.format(**values)

    def call(self, role: str, method: str, url: str, rule: Rule) -> Any:
        headers = self.headers.get(role, {})
        kwargs: dict[str, Any] = {"headers": headers}
        if rule.multipart:
            kwargs["files"] = (
                rule.files(self) if rule.files else {"file": ("note.pdf", PDF, "application/pdf")}
            )
        elif rule.body is not None:
            kwargs["json"] = rule.body(self)
        savepoint = self.connection.begin_nested()
        try:
            self.calls += 1
            return self.client.request(method, url, **kwargs)
        finally:
            savepoint.rollback()

    def check_secrets(self, where: str, response: Any) -> None:
        text = response.text
        for what, secret in SECRETS.items():
            if secret in text:
                self.problems.append(f"{where}: leaks {what} ({secret!r})")

    @property
    def users(self) -> dict[str, int]:
        return {name: user.id for name, user in self.world["users"].items()}

    @property
    def ids(self) -> dict[str, int]:
        return dict(self.world["ids"])


def _who(role: str) -> str:
    """Whose own account and token a role's "own" target names (the anonymous caller tries the family's)."""
    return "family" if role in ("family", "anonymous") else role


@pytest.fixture
def matrix(
    app: FastAPI,
    client: TestClient,
    session: Session,
    connection: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Matrix]:
    from kintrace.services import users as user_service

    monkeypatch.setenv("KINTRACE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    monkeypatch.setenv("KINTRACE_DNA_FREQUENCIES", str(frequency_file(tmp_path)))
    world = build_world(session, app.state.genetic_key, tmp_path)
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    token_ids: dict[str, int] = {}
    for name in ("family", "other", "caseworker", "analyst", "admin"):
        user = world["users"][name]
        row, token = user_service.create_api_token(session, actor_for(user), user.id, "matrix")
        headers[name] = {"Authorization": f"Bearer {token}"}
        token_ids[name] = row.id
    session.commit()
    yield Matrix(app, client, connection, world, headers, token_ids)


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(matrix: Matrix, role: str) -> None:
    for method, path, names in operations_of(matrix.app):
        rule = RULES[f"{method} {path}"]
        where = f"{role} {method} {path}"
        if role == "anonymous":
            answer = matrix.call(role, method, matrix.url(role, path, names, "own", rule), rule)
            wanted = rule.family_own if rule.public else s(401)
            if answer.status_code not in wanted:
                matrix.problems.append(f"{where}: {answer.status_code}, expected {sorted(wanted)}")
            continue
        targets = (
            ("own",)
            if not names
            else (("own", "missing") if role != "family" else (*SEEN, *UNSEEN, "missing"))
        )
        answers: dict[str, Any] = {}
        urls: dict[str, str] = {}
        for target in targets:
            url = matrix.url(role, path, names, target, rule)
            if url in urls.values() and target != "missing":
                continue  # this operation's ids do not tell the targets apart
            urls[target] = url
            answers[target] = answer = matrix.call(role, method, url, rule)
            if role == "family":
                matrix.check_secrets(f"{where} [{target}]", answer)
            if answer.status_code >= 500:
                matrix.problems.append(f"{where} [{target}]: {answer.status_code} {answer.text[:200]}")
        for target, answer in answers.items():
            label = f"{where} [{target}]"
            if target in SEEN or (target == "own" and not names):
                wanted = rule.expected(role, target)
                if answer.status_code not in wanted:
                    matrix.problems.append(
                        f"{label}: {answer.status_code}, expected {sorted(wanted)}: {answer.text[:300]}"
                    )
            elif target == "missing":
                if answer.is_success:
                    matrix.problems.append(f"{label}: {answer.status_code} for a missing id")
            else:  # a family's unseen target must read exactly as a missing one
                if answer.is_success:
                    matrix.problems.append(
                        f"{label}: {answer.status_code}, must not succeed: {answer.text[:300]}"
                    )
                elif _normalised(answer) != _normalised(answers["missing"]):
                    seen, missing = _normalised(answer), _normalised(answers["missing"])
                    matrix.problems.append(f"{label}: tells itself from a missing id: {seen} vs {missing}")
    assert not matrix.problems, f"{len(matrix.problems)} of {matrix.calls} calls went wrong:\n" + "\n".join(
        matrix.problems
    )
