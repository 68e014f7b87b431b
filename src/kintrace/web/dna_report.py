"""The identification report (PDF) of one DNA comparison: remains against one family's references, or
against a personal effect of the missing person (his own DNA: an identity match, no pedigree).

What a forensic report states: the two hypotheses, the references used and the pedigree they imply
(drawn), the likelihood ratio of every marker and their product, the prior (named) and the
posterior, the family's reference strength (simulated with the engine), the two analysts' review,
and the method (software version, frequency table, mutation model). In Ukrainian, Russian or
English. Never a genotype: the reference strength decrypts the references in memory, audited with
the reason below. The document's SHA-256 goes into the audit log.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from reportlab.platypus import Flowable
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import kintrace
from kintrace.dna.families import Family as EngineFamily
from kintrace.dna.markers import DnaInputError, Marker
from kintrace.dna.power import reference_strength
from kintrace.domain.dna_samples import MatchBasis, PedigreeLayout, SampleKind
from kintrace.services import (
    dna_direct,
    dna_family_tables,
    dna_matching,
    dna_samples,
    dna_strength,
    documents,
    pdf,
)
from kintrace.services.access import Actor
from kintrace.services.genetic_crypto import MasterKey
from kintrace.store.models import DnaComparison, DnaSample, User
from kintrace.web.i18n import LANGUAGES, N_, gettext_for
from kintrace.web.labels import KINSHIP
from kintrace.web.pedigree_svg import generations, positions

READ_REASON = "identification report: the family's reference strength"
# The same simulation as the stored strength (services/dna_strength), so both give the same figures.
SIMULATIONS = dna_strength.SIMULATIONS
THRESHOLD = dna_strength.THRESHOLD
STATE = {
    "candidate": N_("candidate, nobody has reviewed it"),
    "proposed": N_("proposed by one analyst, waiting for a second"),
    "confirmed": N_("confirmed by two analysts"),
    "rejected": N_("rejected"),
}


def _lr(log10_lr: float | None) -> str:
    if log10_lr is None:
        return "0"
    exponent = math.floor(log10_lr)
    return f"{10 ** (log10_lr - exponent):.2f} × 10^{exponent}"


def _rmp(log10_lr: float | None) -> str:
    """1 / LR written as the LR is (a full profile's LR overflows no float, but reads better so)."""
    if log10_lr is None:
        return "-"
    exponent = math.floor(-log10_lr)
    return f"{10 ** (-log10_lr - exponent):.2f} × 10^{exponent}"


def _marker_lr(value: float) -> str:
    return "0" if value == 0 else f"{value:.4g}"


def pedigree_figure(layout: PedigreeLayout, labels: Mapping[str, str], typed: frozenset[str]) -> Any:
    """The pedigree with the usual symbols, drawn by matplotlib at the web drawing's positions."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Polygon, Rectangle

    centre = positions(layout.rows, generations(layout.rows))
    width = max(x for x, _ in centre.values()) + 80
    height = max(y for _, y in centre.values()) + 80
    figure = Figure(figsize=(max(3.0, width / 90), max(2.0, height / 90)))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    axes.set_aspect("equal")
    axes.axis("off")
    half = 18
    for row in layout.rows:
        if row.father is not None and row.mother is not None:
            (fx, fy), (mx, my), (kx, ky) = centre[row.father], centre[row.mother], centre[row.id]
            mid, bar = (fx + mx) / 2, max(fy, my) + 40
            axes.plot([fx, mx], [fy, my], color="#222", linewidth=1, zorder=0)
            axes.plot(
                [mid, mid, kx, kx], [max(fy, my), bar, bar, ky - half], color="#222", linewidth=1, zorder=0
            )
    for row in layout.rows:
        x, y = centre[row.id]
        missing = row.id == layout.missing_id
        style: dict[str, Any] = {
            "facecolor": "#555" if row.id in typed else "white",
            "edgecolor": "#b00020" if missing else "#222",
            "linewidth": 2.5 if missing else 1,
        }
        if row.sex == 1:
            axes.add_patch(Rectangle((x - half, y - half), 2 * half, 2 * half, **style))
        elif row.sex == 2:
            axes.add_patch(Circle((x, y), half, **style))
        else:
            axes.add_patch(Polygon([(x, y - half), (x + half, y), (x, y + half), (x - half, y)], **style))
        axes.text(x, y + half + 14, labels.get(row.id, ""), ha="center", va="center", fontsize=7)
    return figure


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else "-"


def identification_report_pdf(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    comparison_id: int,
    language: str,
    *,
    today: dt.date | None = None,
) -> bytes:
    comparison = dna_matching.get_comparison(session, actor, comparison_id)  # staff only
    today = today or dt.date.today()
    _ = gettext_for(language if language in LANGUAGES else "en")
    case, remains = comparison.case, comparison.remains
    person = case.person
    name = " ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p)
    title = _("DNA identification report %(reference)s / %(code)s") % {
        "reference": case.reference,
        "code": remains.code,
    }
    story: list[Flowable] = [pdf.para(title, "title"), pdf.para(name, "h2")]

    story += [pdf.para(_("Hypotheses"), "h2")]
    direct = comparison.basis is MatchBasis.PERSONAL_EFFECT
    if direct:
        story += _effect_hypotheses(comparison, name, _)
    else:
        story += _kinship_hypotheses(session, actor, comparison, name, _)
    group = dna_direct.fragment_group(session, remains.id) - {remains.id}
    if group:
        codes = session.scalars(
            select(DnaSample.code).where(DnaSample.id.in_(sorted(group))).order_by(DnaSample.id)
        )
        story.append(
            pdf.para(
                _(
                    "Fragments of the same person (confirmed by two analysts), named by this "
                    "identification: %(codes)s."
                )
                % {"codes": ", ".join(codes)}
            )
        )

    story += [pdf.para(_("Likelihood ratio per marker"), "h2")]
    marker_rows = sorted(comparison.marker_lrs.items())
    story.append(
        pdf.table(
            [_("Marker"), _("LR"), ""],
            [[m, _marker_lr(float(v)), _("excludes") if float(v) == 0 else ""] for m, v in marker_rows],
            widths=[50, 50, 40],
        )
    )
    story += [pdf.spacer()]
    story.append(
        pdf.para(
            _("Total LR (the product over %(n)d markers): %(lr)s (log10 %(log)s).")
            % {
                "n": len(marker_rows),
                "lr": _lr(comparison.log10_lr),
                "log": "-" if comparison.log10_lr is None else f"{comparison.log10_lr:.2f}",
            }
        )
    )
    story.append(
        pdf.para(
            _("Prior: %(prior).3g (%(name)s). Posterior probability of H1: %(posterior).6f.")
            % {"prior": comparison.prior, "name": comparison.prior_name, "posterior": comparison.posterior}
        )
    )

    if direct:
        story += [pdf.para(_("Strength of the match"), "h2")]
        story.append(
            pdf.para(
                _(
                    "An identity match: an unrelated person shows the same genotypes at these %(n)d markers "
                    "with probability 1 / LR (the random match probability, %(rmp)s)."
                )
                % {"n": len(comparison.marker_lrs), "rmp": _rmp(comparison.log10_lr)}
            )
        )
    else:
        story += [pdf.para(_("Reference strength of the family"), "h2")]
        story += _strength(session, actor, master, markers, case.id, _)

    story += [pdf.para(_("Review"), "h2")]
    state = comparison.state.value if comparison.state else "candidate"
    review = [
        [_("State"), _(STATE[state])],
        [
            _("Proposed by"),
            _review(session, comparison.proposed_by_id, comparison.proposed_at, comparison.proposed_reason),
        ],
        [
            _("Confirmed by"),
            _review(
                session, comparison.confirmed_by_id, comparison.confirmed_at, comparison.confirmed_reason
            ),
        ],
        [_("Family told on"), comparison.family_told_on.isoformat() if comparison.family_told_on else "-"],
    ]
    story.append(pdf.table([_("Step"), _("Who, when, why")], review, widths=[45, 135]))

    story += [pdf.para(_("Method"), "h2")]
    table_id = dna_family_tables.fingerprint(markers)[:16]
    if direct:
        method = _(
            "kintrace %(version)s; identity LR of two single-source profiles (one person against two "
            "unrelated people): per marker 1 / P(genotype) under Hardy-Weinberg, 0 where the genotypes "
            "differ, theta 0; markers typed in one profile only are not used; allele frequency table "
            "%(table)s (%(markers)d markers)."
        )
        story.append(
            pdf.para(
                method
                % {
                    "version": kintrace.__version__,
                    "table": table_id,
                    "markers": len(markers),
                }
            )
        )
    else:
        story.append(
            pdf.para(
                _(
                    "kintrace %(version)s; pedigree likelihoods computed exactly by peeling; allele "
                    "frequency table %(table)s (%(markers)d markers); no mutation model (a parent and child "
                    "who differ at a marker exclude there)."
                )
                % {"version": kintrace.__version__, "table": table_id, "markers": len(markers)}
            )
        )
    story += [pdf.spacer(6)]
    story.append(
        pdf.para(
            _(
                "Made with kintrace on %(date)s. No genotype is printed. The SHA-256 of this document is "
                "recorded in the registry's audit log, so a copy can be checked."
            )
            % {"date": today.isoformat()},
            "small",
        )
    )
    return pdf.render(title, story, made_on=today)


def _kinship_hypotheses(
    session: Session, actor: Actor, comparison: DnaComparison, name: str, _: Any
) -> list[Flowable]:
    """H1 and H2 through the family's pedigree, the references used and the pedigree drawn."""
    case, remains = comparison.case, comparison.remains
    story: list[Flowable] = []
    story.append(
        pdf.para(
            _(
                "H1: the remains %(code)s (%(incident)s, body %(body)s) are those of %(name)s, "
                "case %(reference)s."
            )
            % {
                "code": remains.code,
                "incident": remains.incident or "-",
                "body": remains.body_number or "-",
                "name": name,
                "reference": case.reference,
            }
        )
    )
    story.append(
        pdf.para(
            _(
                "H2: the remains are those of a person unrelated to the family, drawn from the "
                "population the allele frequency table describes."
            )
        )
    )

    samples = session.scalars(
        select(DnaSample)
        .where(DnaSample.case_id == case.id, DnaSample.kind == SampleKind.REFERENCE)
        .options(selectinload(DnaSample.consent))
        .order_by(DnaSample.id)
    ).all()
    story += [pdf.para(_("References of the family"), "h2")]
    story.append(
        pdf.table(
            [_("Sample"), _("Kinship"), _("Laboratory"), _("Collected on"), _("Consent")],
            [
                [
                    s.code,
                    _(KINSHIP[s.kinship]) if s.kinship else "-",
                    s.laboratory,
                    s.collected_on.isoformat() if s.collected_on else "-",
                    _("in force") if dna_samples.consent_in_force(s) else _("withdrawn"),
                ]
                for s in samples
            ],
            widths=[30, 55, 40, 25, 30],
        )
    )
    drawn = dna_samples.family_pedigree(session, actor, case.id)
    if drawn is not None:
        labels = {node: _(KINSHIP[kinship]) for node, kinship in drawn.kinship.items()}
        labels[drawn.layout.missing_id] = _("the missing person")
        story += [pdf.spacer(), pdf.para(_("Pedigree (filled: typed; red: the missing person)"), "h3")]
        story.append(pdf.figure_image(pedigree_figure(drawn.layout, labels, drawn.typed), width_mm=110))

    return story


def _effect_hypotheses(comparison: DnaComparison, name: str, _: Any) -> list[Flowable]:
    """H1 and H2 of an identity match with the missing person's own DNA on a personal effect."""
    case, remains, effect = comparison.case, comparison.remains, comparison.effect
    story: list[Flowable] = [
        pdf.para(
            _(
                "H1: the remains %(code)s (%(incident)s, body %(body)s) are the missing person himself, "
                "%(name)s, case %(reference)s (personal effect)."
            )
            % {
                "code": remains.code,
                "incident": remains.incident or "-",
                "body": remains.body_number or "-",
                "name": name,
                "reference": case.reference,
            }
        ),
        pdf.para(
            _(
                "H2: the remains are those of a person unrelated to the missing person, drawn from the "
                "population the allele frequency table describes."
            )
        ),
    ]
    if effect is not None:
        story += [pdf.para(_("Personal effect of the missing person"), "h2")]
        story.append(
            pdf.table(
                [_("Sample"), _("Object"), _("Handed over by"), _("Handed over on"), _("Laboratory")],
                [
                    [
                        effect.code,
                        effect.effect_item or "-",
                        effect.handed_over_by or "-",
                        effect.collected_on.isoformat() if effect.collected_on else "-",
                        effect.laboratory,
                    ]
                ],
                widths=[30, 35, 45, 30, 40],
            )
        )
    return story


def _review(session: Session, user_id: int | None, at: dt.datetime | None, reason: str | None) -> str:
    if user_id is None:
        return "-"
    when = at.date().isoformat() if at else ""
    return f"{_name(session, user_id)}, {when}: {reason or ''}"


def _strength_para(_: Any, n: int, p_true: float, p_unrelated: float, excluded: float) -> Flowable:
    return pdf.para(
        _(
            "Simulated %(n)d times with the engine: the true missing person reaches LR ≥ 10^4 with "
            "probability %(p_true).3f; an unrelated person with probability %(p_unrelated).4f; an "
            "unrelated person is excluded at one marker at least with probability %(excluded).4f "
            "(exclusion power, exact)."
        )
        % {"n": n, "p_true": p_true, "p_unrelated": p_unrelated, "excluded": excluded}
    )


def _strength(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    case_id: int,
    _: Any,
) -> list[Flowable]:
    # The stored figures when they are current for the family's references: nothing decrypted.
    stored = dna_strength.strengths(session, {case_id}, markers).get(case_id)
    row = stored.row if stored is not None else None
    if stored is not None and row is not None and row.p_true is not None:
        p_true = row.p_true
        story = [
            _strength_para(_, row.simulations, p_true, row.p_unrelated or 0.0, row.exclusion_power or 0.0)
        ]
        if stored.weak and stored.suggestions:
            best = stored.suggestions[0]
            story.append(
                pdf.para(
                    _("Which relative to ask next: %(relative)s (from %(before).2f to %(after).2f).")
                    % {"relative": _(KINSHIP[best.kinship]), "before": p_true, "after": best.p_true}
                )
            )
        return story
    built, skipped = dna_matching.families(session, actor, master, READ_REASON, {case_id}, markers)
    if not built:
        return [pdf.para(_("Not computed: %(why)s") % {"why": skipped.get(case_id, _("no live reference"))})]
    family = built[0]
    engine_family = EngineFamily(str(case_id), family.pedigree, family.missing_id, {})
    try:
        result = reference_strength(
            engine_family, family.references, markers, n=SIMULATIONS, seed=case_id, threshold=THRESHOLD
        )
    except DnaInputError as error:
        return [pdf.para(_("Not computed: %(why)s") % {"why": str(error)})]
    p_true = float((result.true_lr >= THRESHOLD).mean())
    p_unrelated = float((result.unrelated_lr >= THRESHOLD).mean())
    return [_strength_para(_, SIMULATIONS, p_true, p_unrelated, result.exclusion_power_exact)]


def identification_report_document(
    session: Session,
    actor: Actor,
    master: MasterKey,
    markers: Mapping[str, Marker],
    comparison_id: int,
    language: str,
    *,
    today: dt.date | None = None,
) -> documents.Document:
    content = identification_report_pdf(session, actor, master, markers, comparison_id, language, today=today)
    comparison = session.get(DnaComparison, comparison_id)
    assert comparison is not None  # the report above found it
    digest = documents.record(session, actor, "dna_identification_report.pdf", str(comparison_id), content)
    filename = f"identification-{comparison.case.reference}-{comparison.remains.code}.pdf"
    return documents.Document(content, documents.MEDIA_TYPES["pdf"], filename, digest)
