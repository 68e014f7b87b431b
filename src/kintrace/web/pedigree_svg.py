"""A case's pedigree drawn as inline SVG, server-side, with the usual symbols.

Square: male; circle: female; diamond: sex unknown. A member whose DNA profile is stored is filled;
the missing person is drawn with a thick red outline and the proband's arrow. Parents are joined by a
line, their children hang from it. Generations are rows (a founder sits on the row above its
children: a spouse beside the missing person, grandparents above the parents). No script, no
external asset; every label is passed in already translated.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

from kintrace.domain.dna_samples import PedigreeLayout, PedigreeRow

CELL = 120  # horizontal room per member
ROW = 110  # vertical room per generation
SIZE = 36  # symbol size
MARGIN = 24
INK = "#222"
MISSING = "#b00020"


def generations(rows: tuple[PedigreeRow, ...]) -> dict[str, int]:
    """Row of each member: a child one below its lower parent, a founder one above its first child."""
    depth = {row.id: 0 for row in rows}
    children: dict[str, list[str]] = {}
    for row in rows:
        for parent in (row.father, row.mother):
            if parent is not None:
                children.setdefault(parent, []).append(row.id)
    for _ in range(4 * len(rows)):  # relaxation; pedigrees here are a handful of people
        changed = False
        for row in rows:
            parents = [p for p in (row.father, row.mother) if p is not None]
            if parents:
                want = max(depth[p] for p in parents) + 1
                if want > depth[row.id]:
                    depth[row.id], changed = want, True
            elif row.id in children:
                want = min(depth[c] for c in children[row.id]) - 1
                if want > depth[row.id]:
                    depth[row.id], changed = want, True
        if not changed:
            break
    return depth


def positions(rows: tuple[PedigreeRow, ...], depth: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Centre of each member's symbol: rows top-down, children under their parents, partners side by side."""
    by_id = {row.id: row for row in rows}
    partners: dict[str, list[str]] = {}
    for row in rows:
        if row.father is not None and row.mother is not None:
            for a, b in ((row.father, row.mother), (row.mother, row.father)):
                if b not in partners.setdefault(a, []):
                    partners[a].append(b)
    x: dict[str, float] = {}
    for level in range(max(depth.values(), default=0) + 1):
        members = [row.id for row in rows if depth[row.id] == level]
        with_parents = [m for m in members if by_id[m].father is not None or by_id[m].mother is not None]

        def parent_x(member: str) -> float:
            row = by_id[member]
            xs = [x[p] for p in (row.father, row.mother) if p is not None and p in x]
            return sum(xs) / len(xs) if xs else 0.0

        placed: list[str] = []
        for member in sorted(with_parents, key=parent_x) + [m for m in members if m not in with_parents]:
            if member in placed:
                continue
            placed.append(member)
            for partner in partners.get(member, []):  # a partner on this row sits next to them
                if partner in members and partner not in placed and partner not in with_parents:
                    placed.append(partner)
        for i, member in enumerate(placed):
            x[member] = MARGIN + CELL / 2 + i * CELL
    return {pid: (x[pid], MARGIN + SIZE / 2 + depth[pid] * ROW) for pid in x}


def _symbol(sex: int, cx: float, cy: float, fill: str, stroke: str, width: float) -> str:
    half = SIZE / 2
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"'
    if sex == 1:
        return (
            f'<rect class="symbol" x="{cx - half}" y="{cy - half}" width="{SIZE}" height="{SIZE}" {style}/>'
        )
    if sex == 2:
        return f'<circle class="symbol" cx="{cx}" cy="{cy}" r="{half}" {style}/>'
    points = f"{cx},{cy - half} {cx + half},{cy} {cx},{cy + half} {cx - half},{cy}"
    return f'<polygon class="symbol" points="{points}" {style}/>'


def pedigree_svg(
    layout: PedigreeLayout,
    labels: Mapping[str, str],
    typed: frozenset[str],
    *,
    title: str,
) -> Markup:
    """The drawing; ``labels`` name members (translated), ``typed`` are those with a stored profile."""
    depth = generations(layout.rows)
    centre = positions(layout.rows, depth)
    width = max((cx for cx, _ in centre.values()), default=0.0) + CELL / 2 + MARGIN
    height = max((cy for _, cy in centre.values()), default=0.0) + SIZE / 2 + 40 + MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pedigree" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" style="max-width:{width:.0f}px" role="img" aria-labelledby="pedigree-title">',
        f'<title id="pedigree-title">{escape(title)}</title>',
    ]
    couples: dict[tuple[str, str], list[str]] = {}
    for row in layout.rows:
        if row.father is not None and row.mother is not None:
            couples.setdefault((row.father, row.mother), []).append(row.id)
    line = f'stroke="{INK}" stroke-width="1.5" fill="none"'
    for (father, mother), kids in couples.items():
        (fx, fy), (mx, my) = centre[father], centre[mother]
        mid = (fx + mx) / 2
        top = max(fy, my)
        bar = top + (ROW - SIZE) / 2 + SIZE / 2 - 8
        xs = [centre[k][0] for k in kids] + [mid]
        out.append(f'<path class="couple" d="M{fx},{fy} L{mx},{my}" {line}/>')
        out.append(
            f'<path class="descent" d="M{mid},{top} L{mid},{bar} M{min(xs)},{bar} L{max(xs)},{bar}" {line}/>'
        )
        for kid in kids:
            kx, ky = centre[kid]
            out.append(f'<path class="descent" d="M{kx},{bar} L{kx},{ky - SIZE / 2}" {line}/>')
    for row in layout.rows:
        cx, cy = centre[row.id]
        missing = row.id == layout.missing_id
        classes = ["member", "typed" if row.id in typed else "untyped"] + (["missing"] if missing else [])
        label = labels.get(row.id, "")
        out.append(f'<g class="{" ".join(classes)}" data-person="{escape(row.id)}" data-sex="{row.sex}">')
        if label:
            out.append(f"<title>{escape(label)}</title>")
        fill = INK if row.id in typed else "#fff"
        out.append(_symbol(row.sex, cx, cy, fill, MISSING if missing else INK, 3.5 if missing else 1.5))
        if missing:  # the proband's arrow, pointing at the symbol from below left
            tip_x, tip_y = cx - SIZE / 2 - 2, cy + SIZE / 2 + 2
            out.append(
                f'<path class="arrow" d="M{tip_x - 16},{tip_y + 16} L{tip_x},{tip_y} '
                f'M{tip_x - 8},{tip_y} L{tip_x},{tip_y} L{tip_x},{tip_y + 8}" '
                f'stroke="{MISSING}" stroke-width="2.5" fill="none"/>'
            )
        if label:
            out.append(
                f'<text x="{cx}" y="{cy + SIZE / 2 + 18}" text-anchor="middle" font-size="12" '
                f'fill="{MISSING if missing else INK}">{escape(label)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))
