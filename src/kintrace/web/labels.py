"""Words for the registry's values, in plain language (translated where shown, through `_`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kintrace.domain import contradictions as contradiction_rules
from kintrace.domain import status as status_rules
from kintrace.domain.dna_samples import CustodyStep, Kinship
from kintrace.domain.relationships import Relationship
from kintrace.domain.vocabulary import (
    AppealDemand,
    AppealState,
    CaseState,
    Claim,
    Credibility,
    PersonStatus,
    Reliability,
    RequestOutcome,
    Role,
    Sex,
    SourceKind,
    StatusTrack,
    Visibility,
)
from kintrace.web.i18n import N_

STATUS: dict[PersonStatus, str] = {
    PersonStatus.MISSING: N_("Missing"),
    PersonStatus.REPORTED_CAPTURED: N_("Reported captured (not yet confirmed)"),
    PersonStatus.CONFIRMED_CAPTURED: N_("Confirmed captured"),
    PersonStatus.RELEASED: N_("Released"),
    PersonStatus.REPORTED_DEAD: N_("Reported dead (not yet confirmed)"),
    PersonStatus.CONFIRMED_DEAD: N_("Confirmed dead"),
    PersonStatus.REMAINS_IDENTIFIED: N_("Remains identified"),
    PersonStatus.REMAINS_RETURNED: N_("Remains returned to the family"),
    PersonStatus.FOUND_ALIVE: N_("Found alive"),
    PersonStatus.CLOSED: N_("Closed"),
}


def pgettext(context: str, message: str) -> str:
    """Marks `message` for translation in `context` (extracted with its context); translated on use."""
    return message


# Status words that agree with a woman in Ukrainian and Russian ("Зникла безвісти", "Звільнена"); the
# masculine form is the default, so only these need a feminine entry. English reads the same.
FEMININE_STATUS: dict[PersonStatus, str] = {
    PersonStatus.MISSING: pgettext("female", "Missing"),
    PersonStatus.RELEASED: pgettext("female", "Released"),
    PersonStatus.FOUND_ALIVE: pgettext("female", "Found alive"),
}

CASE_STATE: dict[CaseState, str] = {
    CaseState.UNVERIFIED: N_("Waiting for a caseworker to check it"),
    CaseState.OPEN: N_("Open"),
    CaseState.MERGED: N_("Merged into another case"),
    CaseState.CLOSED: N_("Closed"),
}

CLAIM: dict[Claim, str] = {
    Claim.ALIVE: N_("Alive"),
    Claim.CAPTURED: N_("Captured"),
    Claim.RELEASED: N_("Released or exchanged"),
    Claim.WOUNDED: N_("Wounded or in hospital"),
    Claim.DEAD: N_("Dead"),
    Claim.REMAINS_FOUND: N_("Remains found"),
    Claim.SEEN_AT_PLACE: N_("Seen at a place"),
    Claim.OFFICIAL_NOTICE: N_("Official notice"),
    Claim.NO_INFORMATION: N_("No information"),
}

SOURCE_KIND: dict[SourceKind, str] = {
    SourceKind.OFFICIAL_BODY: N_("Official body"),
    SourceKind.RELATIVE: N_("Relative"),
    SourceKind.FELLOW_SERVICEMAN: N_("Fellow serviceman"),
    SourceKind.PUBLISHED_LIST: N_("Published list"),
    SourceKind.MEDIA: N_("Media"),
    SourceKind.HUMANITARIAN_ORGANISATION: N_("Humanitarian organisation"),
    SourceKind.OTHER: N_("Other"),
}

RELIABILITY: dict[Reliability, str] = {
    Reliability.A: N_("A: completely reliable"),
    Reliability.B: N_("B: usually reliable"),
    Reliability.C: N_("C: fairly reliable"),
    Reliability.D: N_("D: not usually reliable"),
    Reliability.E: N_("E: unreliable"),
    Reliability.F: N_("F: reliability cannot be judged"),
}

CREDIBILITY: dict[Credibility, str] = {
    Credibility.CONFIRMED: N_("1: confirmed by other sources"),
    Credibility.PROBABLY_TRUE: N_("2: probably true"),
    Credibility.POSSIBLY_TRUE: N_("3: possibly true"),
    Credibility.DOUBTFUL: N_("4: doubtful"),
    Credibility.IMPROBABLE: N_("5: improbable"),
    Credibility.CANNOT_BE_JUDGED: N_("6: truth cannot be judged"),
}

VISIBILITY: dict[Visibility, str] = {
    Visibility.FAMILY: N_("Shown to the family"),
    Visibility.INTERNAL: N_("Internal (caseworkers only)"),
}

OUTCOME: dict[RequestOutcome, str] = {
    RequestOutcome.PENDING: N_("Waiting for an answer"),
    RequestOutcome.GRANTED: N_("Granted"),
    RequestOutcome.REFUSED: N_("Refused"),
    RequestOutcome.PARTIAL: N_("Partly granted"),
    RequestOutcome.WITHDRAWN: N_("Withdrawn"),
}

ROLE: dict[Role, str] = {
    Role.FAMILY: N_("Family"),
    Role.CASEWORKER: N_("Caseworker"),
    Role.ANALYST: N_("Analyst"),
    Role.ADMIN: N_("Administrator"),
}

SEX: dict[Sex, str] = {Sex.MALE: N_("Male"), Sex.FEMALE: N_("Female"), Sex.UNKNOWN: N_("Not known")}

# The domain's named rules in plain words; the page shows the domain's own (English) detail beside them.
EVIDENCE_RULE: dict[str, str] = {
    status_rules.NO_EVIDENCE: N_("Nothing on file yet tells what happened, so the person counts as missing."),
    status_rules.SINGLE_REPORT: N_(
        "One report that no reliable or second, independent source confirms: the status is 'reported', "
        "not 'confirmed'."
    ),
    status_rules.WELL_GRADED_SOURCE: N_("A reliable source (graded at least B2) confirms it."),
    status_rules.INDEPENDENT_SOURCES: N_("Two independent sources say the same, so it counts as confirmed."),
    status_rules.UNCONFIRMED_SIGN_OF_LIFE: N_(
        "A sign of life that nothing confirms yet: it withdraws earlier reports of death, and the person "
        "counts as missing until it is confirmed."
    ),
}

CONTRADICTION_RULE: dict[str, str] = {
    contradiction_rules.ALIVE_AFTER_DEATH: N_("A sign of life dated after a report of death."),
    contradiction_rules.ALIVE_MAYBE_AFTER_DEATH: N_(
        "A sign of life that may be dated after a report of death: to be checked."
    ),
    contradiction_rules.OFFICIAL_NOTICES_DISAGREE: N_("Two official notices disagree."),
    contradiction_rules.TWO_PLACES_AT_ONCE: N_("Two different places on the same day."),
    contradiction_rules.DIFFERENT_BIRTH_DATES: N_("Two different dates of birth."),
    contradiction_rules.DIFFERENT_DEATH_DATES: N_("Two different dates of death."),
}

# What a contradiction means, said to a family (the rule's sentence above says what was found).
CONTRADICTION_MEANING: dict[str, str] = {
    contradiction_rules.ALIVE_AFTER_DEATH: N_(
        "One of the two is wrong: either he or she was alive later, or the report of death is right and "
        "the sign of life is mistaken (a namesake, a wrong date)."
    ),
    contradiction_rules.ALIVE_MAYBE_AFTER_DEATH: N_(
        "The dates are not exact enough to tell which came first; if the sign of life is later, the report "
        "of death cannot be right."
    ),
    contradiction_rules.OFFICIAL_NOTICES_DISAGREE: N_(
        "Two official letters say different things; the authorities have to say which one stands."
    ),
    contradiction_rules.TWO_PLACES_AT_ONCE: N_(
        "Nobody can be in two places on one day: one of the two reports has the place or the date wrong."
    ),
    contradiction_rules.DIFFERENT_BIRTH_DATES: N_(
        "The two items may be about different people with the same name, or one has a typing error."
    ),
    contradiction_rules.DIFFERENT_DEATH_DATES: N_("At least one of the two dates of death is wrong."),
}
TRACK: dict[StatusTrack, str] = {
    StatusTrack.OFFICIAL: N_("Official status"),
    StatusTrack.EVIDENCE: N_("What the evidence shows"),
}

APPEAL_DEMAND: dict[AppealDemand, str] = {
    AppealDemand.STATUS_CHANGE: N_("Change the official status to what the evidence shows"),
    AppealDemand.EXCHANGE_LISTS: N_("Include in the prisoner-exchange lists"),
    AppealDemand.DNA_TESTING: N_("DNA testing to identify the dead"),
    AppealDemand.ACTIVE_SEARCH: N_("An active search"),
    AppealDemand.ANSWER_REQUESTS: N_("An answer to the requests already made"),
}

# A DNA donor's kinship to the missing person (as the pedigree needs it).
KINSHIP: dict[Kinship, str] = {
    Kinship.FATHER: N_("father"),
    Kinship.MOTHER: N_("mother"),
    Kinship.FULL_SIBLING: N_("brother or sister"),
    Kinship.PATERNAL_HALF_SIBLING: N_("half-brother or half-sister (same father)"),
    Kinship.MATERNAL_HALF_SIBLING: N_("half-brother or half-sister (same mother)"),
    Kinship.CHILD: N_("son or daughter"),
    Kinship.SPOUSE: N_("spouse"),
    Kinship.PATERNAL_GRANDFATHER: N_("grandfather (father's side)"),
    Kinship.PATERNAL_GRANDMOTHER: N_("grandmother (father's side)"),
    Kinship.MATERNAL_GRANDFATHER: N_("grandfather (mother's side)"),
    Kinship.MATERNAL_GRANDMOTHER: N_("grandmother (mother's side)"),
    Kinship.PATERNAL_UNCLE_OR_AUNT: N_("uncle or aunt (father's side)"),
    Kinship.MATERNAL_UNCLE_OR_AUNT: N_("uncle or aunt (mother's side)"),
}

# A step of a DNA sample's chain of custody.
CUSTODY_STEP: dict[CustodyStep, str] = {
    CustodyStep.COLLECTED: N_("collected"),
    CustodyStep.SENT: N_("sent"),
    CustodyStep.RECEIVED: N_("received"),
    CustodyStep.TYPED: N_("typed"),
    CustodyStep.STORED: N_("stored"),
    CustodyStep.CONSUMED: N_("consumed"),
}

# Said of the relative ("the mother of the missing person"), in the order the forms list them.
RELATIONSHIP: dict[Relationship, str] = {
    Relationship.MOTHER: N_("Mother"),
    Relationship.FATHER: N_("Father"),
    Relationship.WIFE: N_("Wife"),
    Relationship.HUSBAND: N_("Husband"),
    Relationship.PARTNER: N_("Partner (not married)"),
    Relationship.SON: N_("Son"),
    Relationship.DAUGHTER: N_("Daughter"),
    Relationship.BROTHER: N_("Brother"),
    Relationship.SISTER: N_("Sister"),
    Relationship.HALF_BROTHER: N_("Half-brother"),
    Relationship.HALF_SISTER: N_("Half-sister"),
    Relationship.GRANDMOTHER: N_("Grandmother"),
    Relationship.GRANDFATHER: N_("Grandfather"),
    Relationship.GRANDSON: N_("Grandson"),
    Relationship.GRANDDAUGHTER: N_("Granddaughter"),
    Relationship.AUNT: N_("Aunt"),
    Relationship.UNCLE: N_("Uncle"),
    Relationship.NEPHEW: N_("Nephew"),
    Relationship.NIECE: N_("Niece"),
    Relationship.COUSIN: N_("Cousin"),
    Relationship.STEPMOTHER: N_("Stepmother"),
    Relationship.STEPFATHER: N_("Stepfather"),
    Relationship.MOTHER_IN_LAW: N_("Mother-in-law"),
    Relationship.FATHER_IN_LAW: N_("Father-in-law"),
    Relationship.OTHER: N_("Other (say who)"),
}

APPEAL_STATE: dict[AppealState, str] = {
    AppealState.DRAFT: N_("Being prepared: families can join"),
    AppealState.SENT: N_("Sent, waiting for the answer"),
    AppealState.ANSWERED: N_("Answered"),
    AppealState.CLOSED: N_("Closed"),
}

# Form fields by the name a service's error gives them, so an error names what the reader saw.
FIELD: dict[str, str] = {
    "last_name": N_("Last name"),
    "first_name": N_("First name"),
    "patronymic": N_("Patronymic (if any)"),
    "birth_year": N_("Date of birth"),
    "birth_month": N_("Date of birth"),
    "birth_date": N_("Date of birth"),
    "seen_year": N_("When were they last seen or heard from?"),
    "seen_month": N_("When were they last seen or heard from?"),
    "seen_place": N_("Where?"),
    "rank": N_("Rank (if serving)"),
    "unit": N_("Military unit (e.g. в/ч 12345)"),
    "height_cm": N_("Height in cm"),
    "relationship": N_("Relation to the missing person"),
    "relationship_note": N_("In your own words (a godmother, a fiancée...)"),
    "full_name": N_("Full name"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "authority": N_("Authority"),
    "deadline": N_("Deadline"),
    "claim": N_("Claim"),
    "title": N_("Title"),
    "signatory": N_("Signatory"),
    "consent": N_("Consent"),
    "case_reference": N_("Case reference"),
    "sent_on": N_("Sent on"),
    "received_on": N_("Received on"),
    "password": N_("Password"),
    "language": N_("Language of pages and e-mails"),
    "photo": N_("Photo"),
    "confirm": N_("Yes, delete my account"),
    "current_password": N_("Current password"),
    "new_password": N_("New password"),
    "new_password_repeat": N_("New password again"),
    "reason": N_("Reason"),
    # The desk's DNA forms.
    "code": N_("Sample code"),
    "relative_id": N_("Relative who gave the sample"),
    "kinship": N_("Kinship to the missing person"),
    "donor_sex": N_("Donor's sex"),
    "collected_on": N_("Collected on"),
    "collector": N_("Collected by"),
    "laboratory": N_("Laboratory"),
    "kit": N_("Kit"),
    "consent_on": N_("Consent signed on"),
    "consent_form": N_("Signed consent form (PDF, JPEG or PNG)"),
    "item": N_("Object"),
    "handed_over_by": N_("Handed over by"),
    "handed_over_on": N_("Handed over on"),
    "incident": N_("Incident or site"),
    "recovered_on": N_("Recovered on"),
    "body_number": N_("Body or bag number"),
    "export": N_("Lab export (CSV)"),
    "step": N_("Step"),
    "on": N_("Date"),
    "by": N_("By whom"),
    "note": N_("Note"),
}

ALL: dict[str, Mapping[Any, str]] = {
    "evidence_rule": EVIDENCE_RULE,
    "contradiction": CONTRADICTION_RULE,
    "contradiction_meaning": CONTRADICTION_MEANING,
    "status": STATUS,
    "state": CASE_STATE,
    "claim": CLAIM,
    "kind": SOURCE_KIND,
    "reliability": RELIABILITY,
    "credibility": CREDIBILITY,
    "visibility": VISIBILITY,
    "outcome": OUTCOME,
    "role": ROLE,
    "sex": SEX,
    "demand": APPEAL_DEMAND,
    "appeal_state": APPEAL_STATE,
    "track": TRACK,
    "relationship": RELATIONSHIP,
}


# Messages of the services that a page shows as they are: listed here so the catalogs translate them
# (templates pass a service's message through `_`, which leaves any other text unchanged).
SERVICE_MESSAGES = (
    N_("must be at least 8 characters"),
    N_(
        "is too easy to guess (a common password, a word, a name, a date or a keyboard pattern); "
        "a phrase of several unrelated words is strong and easy to remember"
    ),
    N_("is not an e-mail address"),
    N_("is not a phone number (digits, spaces, brackets and dashes; + for the country code)"),
    N_("is not one of uk, ru, en"),
    N_("tick the box to confirm"),
    N_("must be chosen (mother, wife, brother, ... or other)"),
    N_("say who the relative is to the missing person"),
    N_('is not a relationship the registry knows; choose "other" and say who'),
    N_("is not a picture kintrace can read (JPEG, PNG, WebP or GIF)"),
    N_("is larger than 10 MiB"),
    N_("this case already has 20 photos; remove one first"),
    N_("choose a photo to send"),
    N_("this is not your current password"),
    N_("another account already uses this e-mail address"),
)
