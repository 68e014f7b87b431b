"""The shared words of the registry: who said what, how reliable, what state a person is in.

Every layer (store, services, API, web, CLI) uses these enums, so a value means one thing
everywhere. Stored as their string values.
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class Role(StrEnum):
    FAMILY = "family"
    CASEWORKER = "caseworker"
    ANALYST = "analyst"
    ADMIN = "admin"


class SourceKind(StrEnum):
    OFFICIAL_BODY = "official_body"
    RELATIVE = "relative"
    FELLOW_SERVICEMAN = "fellow_serviceman"
    PUBLISHED_LIST = "published_list"
    MEDIA = "media"
    HUMANITARIAN_ORGANISATION = "humanitarian_organisation"
    OTHER = "other"


class Reliability(StrEnum):
    """Admiralty (NATO) source reliability: A completely reliable ... F cannot be judged."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class Credibility(StrEnum):
    """Admiralty information credibility: 1 confirmed by other sources ... 6 cannot be judged."""

    CONFIRMED = "1"
    PROBABLY_TRUE = "2"
    POSSIBLY_TRUE = "3"
    DOUBTFUL = "4"
    IMPROBABLE = "5"
    CANNOT_BE_JUDGED = "6"


class Claim(StrEnum):
    ALIVE = "alive"
    CAPTURED = "captured"
    RELEASED = "released"  # released from captivity or exchanged (an exchange list says so)
    WOUNDED = "wounded"  # wounded or in hospital
    DEAD = "dead"
    REMAINS_FOUND = "remains_found"
    SEEN_AT_PLACE = "seen_at_place"
    OFFICIAL_NOTICE = "official_notice"
    NO_INFORMATION = "no_information"


class Visibility(StrEnum):
    FAMILY = "family"  # shown to the family in the portal
    INTERNAL = "internal"  # caseworkers and analysts only


class PersonStatus(StrEnum):
    """States of both status tracks (official and evidence-based)."""

    MISSING = "missing"
    REPORTED_CAPTURED = "reported_captured"
    CONFIRMED_CAPTURED = "confirmed_captured"
    RELEASED = "released"
    REPORTED_DEAD = "reported_dead"
    CONFIRMED_DEAD = "confirmed_dead"
    REMAINS_IDENTIFIED = "remains_identified"
    REMAINS_RETURNED = "remains_returned"
    FOUND_ALIVE = "found_alive"
    CLOSED = "closed"


class StatusTrack(StrEnum):
    OFFICIAL = "official"
    EVIDENCE = "evidence"


class CaseState(StrEnum):
    UNVERIFIED = "unverified"  # filed by a family account, not yet checked by a caseworker
    OPEN = "open"
    MERGED = "merged"  # folded into another case; kept so the merge can be undone
    CLOSED = "closed"


class RequestOutcome(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"
    PARTIAL = "partial"
    WITHDRAWN = "withdrawn"


class AppealDemand(StrEnum):
    """What a collective appeal asks the authority for."""

    STATUS_CHANGE = "status_change"  # change each person's official status to what the evidence shows
    EXCHANGE_LISTS = "exchange_lists"  # include the men in prisoner-exchange lists
    DNA_TESTING = "dna_testing"  # take and compare DNA to identify the dead
    ACTIVE_SEARCH = "active_search"  # open or resume an active search
    ANSWER_REQUESTS = "answer_requests"  # answer the requests already filed


class AppealState(StrEnum):
    DRAFT = "draft"  # families may join and leave
    SENT = "sent"  # the letter went out; the signatories are fixed
    ANSWERED = "answered"  # the authority answered (per-case outcomes may follow)
    CLOSED = "closed"
