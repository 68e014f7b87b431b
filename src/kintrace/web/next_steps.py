"""What a family can do next, in plain words, from where its case stands.

Families asked "what can I do next", "who handles my case" and "can I join the other families". The
answers come from the case's state, both status tracks, the requests and their deadlines, and the
appeals open for joining: each step says what to ask, of whom, and with which document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kintrace.domain.vocabulary import CaseState, PersonStatus, RequestOutcome
from kintrace.services.appeals import AppealView
from kintrace.services.requests import RequestView
from kintrace.services.status import StatusView
from kintrace.store.models import Case

CAPTIVITY = frozenset({PersonStatus.REPORTED_CAPTURED, PersonStatus.CONFIRMED_CAPTURED})
DEATH = frozenset({PersonStatus.REPORTED_DEAD, PersonStatus.CONFIRMED_DEAD})


@dataclass(frozen=True)
class Step:
    text: str
    link: str | None = None  # where to do it, on this site
    link_text: str | None = None


def next_steps(
    _: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    case: Case,
    view: StatusView,
    requests: Sequence[RequestView],
    joinable: Sequence[AppealView],
) -> list[Step]:
    """The steps for this case now, most pressing first."""
    steps: list[Step] = []
    if case.state is CaseState.UNVERIFIED:
        steps.append(
            Step(
                _(
                    "A caseworker will check your report, usually within a few days. Until then it is not "
                    "shared or compared with other records. If something in it is wrong, correct it now."
                ),
                f"/my/cases/{case.id}/person",
                _("Correct the details"),
            )
        )
    for waiting in requests:
        if not waiting.overdue:
            continue
        authority = waiting.request.authority
        late = ngettext(
            "%(num)d day past the deadline.", "%(num)d days past the deadline.", waiting.days_overdue
        )
        steps.append(
            Step(
                _("Request to: %(authority)s") % {"authority": authority}
                + " — "
                + late % {"num": waiting.days_overdue}
                + " "
                + _(
                    "Ask your caseworker to send a reminder, or write a complaint yourself to the ombudsman "
                    "(the Parliament Commissioner for Human Rights), with a copy of the request."
                )
            )
        )
    pending = any(r.request.outcome is RequestOutcome.PENDING for r in requests)
    if view.divergence is not None and not pending and case.state is CaseState.OPEN:
        steps.append(
            Step(
                _(
                    "The information we hold shows more than the authorities have recorded. Ask your "
                    "caseworker to send a request to change the official status; it will cite the "
                    "documents and witnesses listed below."
                )
            )
        )
    evidence = view.derivation.status
    if evidence in CAPTIVITY:
        steps.append(
            Step(
                _(
                    "The information says your relative may be held captive. Make sure your relative is "
                    "registered with the national information bureau for prisoners of war and with the "
                    "International Committee of the Red Cross: bring the passport or military ID details "
                    "and a recent photo."
                )
            )
        )
    elif evidence in DEATH:
        steps.append(
            Step(
                _(
                    "The information points to your relative's death. A DNA sample from the parents, "
                    "children, brothers or sisters can identify the remains; ask your caseworker where "
                    "to give one."
                )
            )
        )
    elif evidence is PersonStatus.MISSING:
        steps.append(
            Step(
                _(
                    "Tell us anything you learn: who saw your relative last, messages, calls, photos, lists. "
                    "Every fact, even a small one, is compared with the others."
                ),
                f"/my/cases/{case.id}#add",
                _("Add information"),
            )
        )
    if joinable:
        steps.append(
            Step(
                ngettext(
                    "%(num)d appeal of several families is open for you to join.",
                    "%(num)d appeals of several families are open for you to join.",
                    len(joinable),
                )
                % {"num": len(joinable)},
                "/my/appeals",
                _("See the appeals"),
            )
        )
    steps.append(Step(_("Never pay anyone for information or for a place on an exchange list."), "/safety"))
    return steps
