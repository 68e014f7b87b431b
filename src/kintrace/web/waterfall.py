"""A candidate pair's score as a waterfall: from the prior, each compared field moves the match weight
by log2 of its Bayes factor, to the final weight. Server-rendered SVG, no script, no external asset.

The bars always end at the pair's match weight: a prior the engine did not store is what the fields
leave over, and any remainder (term-frequency adjustments outside the fields) is a bar of its own.
Every bar carries its number as text, so the chart reads without colour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from kintrace.services.list_review import PRIOR_KEY, Step, steps_of

POSITIVE = "#1a7f37"  # for him: 5.0:1 against white
NEGATIVE = "#b42318"  # against him: 6.0:1 against white
NEUTRAL = "#1f5f8b"  # the prior and the final weight


def bars(reasons: Mapping[str, Any], match_weight: float) -> tuple[float, list[Step]]:
    """The prior and the steps from it to `match_weight` (a remainder step where they do not add up)."""
    steps = steps_of(reasons)
    moved = sum(s.weight for s in steps)
    stored = reasons.get(PRIOR_KEY)
    prior = float(stored) if isinstance(stored, int | float) else match_weight - moved
    rest = match_weight - prior - moved
    if abs(rest) > 1e-6:
        steps.append(Step("other", "", 2.0**rest, rest))
    return prior, steps


def _fmt(weight: float) -> str:
    return f"{weight:+.2f}"


def waterfall(
    title: str,
    reasons: Mapping[str, Any],
    match_weight: float,
    *,
    label: Callable[[str], str] = str,
    prior_label: str = "prior",
    total_label: str = "match weight",
    width: int = 640,
) -> str:
    """The SVG: a row per field (`label(field)` names it), between the prior and the final weight."""
    prior, steps = bars(reasons, match_weight)
    row_h, pad, label_w, value_w = 26, 8, 150, 64
    rows = 2 + len(steps)
    height = pad * 2 + row_h * rows
    ends = [0.0, prior]
    for step in steps:
        ends.append(ends[-1] + step.weight)
    low, high = min(ends), max(ends)
    span = (high - low) or 1.0
    plot_w = width - label_w - value_w

    def x(value: float) -> float:
        return label_w + (value - low) / span * plot_w

    desc = "; ".join(
        [f"{prior_label} {_fmt(prior)}"]
        + [f"{label(s.field)} {s.level} {_fmt(s.weight)}" for s in steps]
        + [f"{total_label} {_fmt(match_weight)}"]
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart waterfall" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="wf-t wf-d">',
        f'<title id="wf-t">{escape(title)}</title><desc id="wf-d">{escape(desc)}</desc>',
        f'<line x1="{x(0):.1f}" y1="{pad}" x2="{x(0):.1f}" y2="{height - pad}" stroke="#6b6b6b" '
        'stroke-dasharray="3 3"/>',
    ]

    def row(index: int, name: str, start: float, weight: float, colour: str, kind: str) -> None:
        y = pad + index * row_h
        left, right = sorted((x(start), x(start + weight)))
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="13" fill="#1d1d1f">'
            f"{escape(name)}</text>"
            f'<rect class="wf-bar {kind}" x="{left:.2f}" y="{y + 4}" width="{max(right - left, 1.0):.2f}" '
            f'height="{row_h - 8}" fill="{colour}" data-start="{start:.6f}" data-weight="{weight:.6f}"/>'
            f'<text x="{width - 4}" y="{y + 17}" text-anchor="end" font-size="13" fill="#1d1d1f">'
            f"{_fmt(weight)}</text>"
        )

    row(0, prior_label, 0.0, prior, NEUTRAL, "prior")
    at = prior
    for index, step in enumerate(steps, start=1):
        colour = POSITIVE if step.weight >= 0 else NEGATIVE
        row(index, label(step.field), at, step.weight, colour, "field")  # levels are in <desc>
        at += step.weight
    row(rows - 1, total_label, 0.0, match_weight, NEUTRAL, "total")
    parts.append("</svg>")
    return "".join(parts)
