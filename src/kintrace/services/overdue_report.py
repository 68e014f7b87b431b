"""The overdue report per authority: how long each authority leaves status-change requests unanswered.

For caseworkers and lawyers (staff only; it names the cases): per authority, the requests still
waiting, how many are past the deadline, the median and 90th percentile of days pending, the oldest
ones, and how these figures changed month by month. As CSV (one row per authority and month) and as
a PDF with a plot, in Ukrainian, Russian or English (services/documents.py hands them out).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from matplotlib.figure import Figure
from reportlab.platypus import Flowable, KeepTogether
from sqlalchemy import select
from sqlalchemy.orm import Session

from kintrace.domain.requests import is_overdue
from kintrace.domain.vocabulary import RequestOutcome
from kintrace.services import pdf
from kintrace.services.access import Actor, case_visibility_clause, require_staff
from kintrace.services.statistics import percentile
from kintrace.store.models import Case, MissingPerson, StatusRequest

MONTHS = 12
OLDEST = 10
LANGUAGES = ("uk", "ru", "en")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Unanswered requests to change a person's status, by authority",
        "as_of": "As of {date}. Days are counted from submission to that day.",
        "authority": "Authority",
        "waiting": "Waiting",
        "overdue": "Past the deadline",
        "median": "Median days",
        "p90": "90th percentile, days",
        "oldest": "The longest waiting",
        "case": "Case",
        "person": "Missing person",
        "submitted": "Submitted",
        "deadline": "Deadline",
        "days": "Days waiting",
        "month": "Month end",
        "trend": "Month by month",
        "none": "No request is waiting for an answer.",
        "plot_median": "median days waiting",
        "plot_count": "requests waiting",
    },
    "uk": {
        "title": "Запити про зміну статусу без відповіді, за органами влади",
        "as_of": "Станом на {date}. Дні рахуються від подання до цієї дати.",
        "authority": "Орган влади",
        "waiting": "Чекають",
        "overdue": "Строк минув",
        "median": "Медіана днів",
        "p90": "90-й процентиль, днів",
        "oldest": "Найдовше без відповіді",
        "case": "Справа",
        "person": "Зникла особа",
        "submitted": "Подано",
        "deadline": "Строк",
        "days": "Днів очікування",
        "month": "Кінець місяця",
        "trend": "Помісячно",
        "none": "Жоден запит не чекає на відповідь.",
        "plot_median": "медіана днів очікування",
        "plot_count": "запитів чекають",
    },
    "ru": {
        "title": "Запросы об изменении статуса без ответа, по органам власти",
        "as_of": "На {date}. Дни считаются от подачи до этой даты.",
        "authority": "Орган власти",
        "waiting": "Ждут",
        "overdue": "Срок истёк",
        "median": "Медиана дней",
        "p90": "90-й процентиль, дней",
        "oldest": "Дольше всего без ответа",
        "case": "Дело",
        "person": "Пропавший",
        "submitted": "Подан",
        "deadline": "Срок",
        "days": "Дней ожидания",
        "month": "Конец месяца",
        "trend": "По месяцам",
        "none": "Ни один запрос не ждёт ответа.",
        "plot_median": "медиана дней ожидания",
        "plot_count": "запросов ждут",
    },
}


@dataclass(frozen=True)
class Waiting:
    case_reference: str
    person: str
    requested_status: str
    submitted_on: dt.date
    deadline: dt.date | None
    days_pending: int


@dataclass(frozen=True)
class MonthFigures:
    month_end: dt.date
    pending: int
    overdue: int
    median_days: float | None
    p90_days: float | None


@dataclass
class AuthorityReport:
    authority: str
    pending: int = 0
    overdue: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    oldest: list[Waiting] = field(default_factory=list)
    months: list[MonthFigures] = field(default_factory=list)


@dataclass(frozen=True)
class OverdueReport:
    as_of: dt.date
    authorities: list[AuthorityReport]


def month_ends(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The last day of each of the `months` months before today's, oldest first, then today."""
    ends: list[dt.date] = []
    first = today.replace(day=1)
    for _ in range(months):
        first_of_previous = (first - dt.timedelta(days=1)).replace(day=1)
        ends.append(first - dt.timedelta(days=1))
        first = first_of_previous
    return [*reversed(ends), today]


def _pending_on(day: dt.date, submitted: dt.date, outcome: RequestOutcome, answered: dt.date | None) -> bool:
    """Was the request waiting for an answer at the end of `day`?"""
    if submitted > day:
        return False
    return outcome is RequestOutcome.PENDING or answered is None or answered > day


def overdue_report(
    session: Session, actor: Actor, *, today: dt.date | None = None, authority: str | None = None
) -> OverdueReport:
    require_staff(actor, "read the overdue report")
    today = today or dt.date.today()
    name = " ".join(authority.split()) if authority else None
    rows = session.execute(
        select(StatusRequest, Case.reference, MissingPerson)
        .join(Case, Case.id == StatusRequest.case_id)
        .join(MissingPerson, MissingPerson.case_id == Case.id)
        .where(case_visibility_clause(actor), StatusRequest.submitted_on <= today)
    ).all()
    grouped: dict[str, list[tuple[StatusRequest, str, MissingPerson]]] = defaultdict(list)
    for request, reference, person in rows:
        key = " ".join(request.authority.split())
        if name is None or key.casefold() == name.casefold():
            grouped[key].append((request, reference, person))
    ends = month_ends(today)
    reports = [_authority(key, items, today, ends) for key, items in grouped.items()]
    reports = [r for r in reports if r.pending or any(m.pending for m in r.months)]
    reports.sort(key=lambda r: (-(r.median_days or 0), r.authority))
    return OverdueReport(as_of=today, authorities=reports)


def _authority(
    name: str, items: list[tuple[StatusRequest, str, MissingPerson]], today: dt.date, ends: list[dt.date]
) -> AuthorityReport:
    report = AuthorityReport(name)
    waiting: list[Waiting] = []
    for request, reference, person in items:
        if request.outcome is RequestOutcome.PENDING:
            full_name = " ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p)
            waiting.append(
                Waiting(
                    reference,
                    full_name,
                    request.requested_status.value,
                    request.submitted_on,
                    request.deadline,
                    (today - request.submitted_on).days,
                )
            )
            report.overdue += is_overdue(request.deadline, RequestOutcome.PENDING, today)
    report.pending = len(waiting)
    if waiting:
        days = [w.days_pending for w in waiting]
        report.median_days, report.p90_days = percentile(days, 0.5), percentile(days, 0.9)
    report.oldest = sorted(waiting, key=lambda w: (-w.days_pending, w.case_reference))[:OLDEST]
    for end in ends:
        open_then = [r for r, _, _ in items if _pending_on(end, r.submitted_on, r.outcome, r.outcome_on)]
        days = [(end - r.submitted_on).days for r in open_then]
        overdue = sum(1 for r in open_then if r.deadline is not None and end > r.deadline)
        report.months.append(
            MonthFigures(
                end,
                len(open_then),
                overdue,
                percentile(days, 0.5) if days else None,
                percentile(days, 0.9) if days else None,
            )
        )
    return report


def to_csv(report: OverdueReport) -> bytes:
    """One row per authority and month end (the last row of each authority is the report's day)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["authority", "as_of", "pending", "overdue", "median_days_pending", "p90_days_pending"])
    for authority in report.authorities:
        for month in authority.months:
            writer.writerow(
                [
                    authority.authority,
                    month.month_end.isoformat(),
                    month.pending,
                    month.overdue,
                    "" if month.median_days is None else f"{month.median_days:g}",
                    "" if month.p90_days is None else f"{month.p90_days:g}",
                ]
            )
    return out.getvalue().encode("utf-8")


def _trend_figure(authority: AuthorityReport, text: dict[str, str]) -> Figure:
    figure = Figure(figsize=(7, 2.4))
    axis = figure.subplots()
    labels = [m.month_end.strftime("%Y-%m") for m in authority.months]
    medians = [m.median_days if m.median_days is not None else float("nan") for m in authority.months]
    axis.plot(labels, medians, marker="o", color="#1f5f8b", label=text["plot_median"])
    axis.set_ylabel(text["median"])
    axis.tick_params(axis="x", labelrotation=45, labelsize=7)
    counts = axis.twinx()
    pending = [m.pending for m in authority.months]
    counts.bar(labels, pending, alpha=0.25, color="#a4161a", label=text["plot_count"])
    counts.set_ylabel(text["waiting"])
    handles = axis.get_legend_handles_labels()[0] + counts.get_legend_handles_labels()[0]
    axis.legend(handles=handles, loc="upper left", fontsize=7, frameon=False)
    figure.tight_layout()
    return figure


def to_pdf(report: OverdueReport, language: str = "uk") -> bytes:
    text = TEXT[language if language in TEXT else "en"]
    as_of = text["as_of"].format(date=report.as_of)
    story: list[Flowable] = [pdf.para(text["title"], "title"), pdf.para(as_of)]
    if not report.authorities:
        story.append(pdf.para(text["none"]))
    for authority in report.authorities:
        story += [pdf.spacer(4), pdf.para(authority.authority, "h2")]
        story.append(
            pdf.table(
                [text["waiting"], text["overdue"], text["median"], text["p90"]],
                [[a.pending, a.overdue, _days(a.median_days), _days(a.p90_days)] for a in (authority,)],
            )
        )
        story.append(
            KeepTogether([pdf.para(text["trend"], "h3"), pdf.figure_image(_trend_figure(authority, text))])
        )
        if authority.oldest:
            story.append(pdf.para(text["oldest"], "h3"))
            story.append(
                pdf.table(
                    [text["case"], text["person"], text["submitted"], text["deadline"], text["days"]],
                    [
                        [w.case_reference, w.person, w.submitted_on, w.deadline or "", w.days_pending]
                        for w in authority.oldest
                    ],
                    widths=(30, 70, 25, 25, 25),
                )
            )
    return pdf.render(text["title"], story, made_on=report.as_of)


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"
