"""Charts drawn on the server as SVG: no script, no chart library, readable without colour.

Every bar carries its number as text and the chart a <title> and <desc>, so a screen reader and a
printout say what the picture shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

_BAR = "#1f5f8b"  # 7.0:1 against white
_CHAR_W = 8.4  # px a character at 13 px (Cyrillic runs wide), for fitting labels


def _fit(label: str, room: float) -> str:
    """The label cut to the room it has, with an ellipsis (the <desc> keeps it whole)."""
    most = max(4, int(room / _CHAR_W))
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def bar_chart(title: str, rows: Sequence[tuple[str, int]], *, width: int = 640) -> str:
    """Horizontal bars, one per (label, count), with the count written at the bar's end."""
    row_h, pad = 26, 8
    # Room for the longest label (up to 8 px a character at 13 px: Cyrillic runs wider than Latin),
    # but never more than 65 % of the width.
    label_w = min(int(width * 0.65), 16 + 8 * max((len(label) for label, _ in rows), default=0))
    height = pad * 2 + row_h * max(1, len(rows))
    top = max((count for _, count in rows), default=0) or 1
    bar_space = width - label_w - 60
    desc = "; ".join(f"{label}: {count}" for label, count in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="t-{id(rows)} d-{id(rows)}">',
        f'<title id="t-{id(rows)}">{escape(title)}</title><desc id="d-{id(rows)}">{escape(desc)}</desc>',
    ]
    for index, (label, count) in enumerate(rows):
        y = pad + index * row_h
        length = round(bar_space * count / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="13" fill="#1d1d1f">'
            f"{escape(_fit(label, label_w - 8))}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{length}" height="{row_h - 8}" fill="{_BAR}"/>'
            f'<text x="{label_w + length + 6}" y="{y + 17}" font-size="13" fill="#1d1d1f">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(title: str, bins: Sequence[tuple[str, int]], *, width: int = 560, height: int = 220) -> str:
    """Vertical bars over labelled bins (e.g. days pending: "0-29", "30-59", ...)."""
    pad_x, pad_top, pad_bottom = 20, 24, 40
    top = max((count for _, count in bins), default=0) or 1
    slot = (width - 2 * pad_x) / max(1, len(bins))
    plot_h = height - pad_top - pad_bottom
    desc = "; ".join(f"{label}: {count}" for label, count in bins)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="h-{id(bins)} hd-{id(bins)}">',
        f'<title id="h-{id(bins)}">{escape(title)}</title><desc id="hd-{id(bins)}">{escape(desc)}</desc>',
        f'<line x1="{pad_x}" y1="{height - pad_bottom}" x2="{width - pad_x}" y2="{height - pad_bottom}" '
        'stroke="#1d1d1f"/>',
    ]
    for index, (label, count) in enumerate(bins):
        bar_h = round(plot_h * count / top)
        x = pad_x + index * slot + 4
        y = height - pad_bottom - bar_h
        centre = x + (slot - 8) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{slot - 8:.1f}" height="{bar_h}" fill="{_BAR}"/>'
            f'<text x="{centre:.1f}" y="{y - 5}" text-anchor="middle" font-size="13" fill="#1d1d1f">'
            f"{count}</text>"
            f'<text x="{centre:.1f}" y="{height - pad_bottom + 18}" text-anchor="middle" font-size="12" '
            f'fill="#1d1d1f">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# Colours at least 3:1 against white (WCAG 2.1 non-text contrast), and each series also has its own dash.
SERIES_COLOURS = (
    "#1f5f8b",
    "#a4161a",
    "#1d6b35",
    "#8a4b00",
    "#5b2a86",
    "#00677f",
    "#8c1d5a",
    "#4a4a4f",
    "#6b5900",
    "#2b3a8c",
)


def paired_bar_chart(
    title: str,
    rows: Sequence[tuple[str, int | None, int | None]],
    legend: tuple[str, str],
    withheld: str,
    *,
    width: int = 640,
) -> str:
    """Two horizontal bars per label (e.g. official and evidence track), each with its number; a value
    that is None is written as `withheld` with no bar, so a withheld count is never drawn as zero."""
    bar_h, gap, pad, legend_h = 14, 10, 8, 22 * len(legend) + 4
    label_w = min(int(width * 0.5), 16 + 8 * max((len(label) for label, _, _ in rows), default=0))
    height = legend_h + pad * 2 + (2 * bar_h + gap) * max(1, len(rows))
    top = max((v for _, a, b in rows for v in (a, b) if v is not None), default=0) or 1
    bar_space = width - label_w - 90
    colours = (SERIES_COLOURS[0], SERIES_COLOURS[2])
    desc = "; ".join(
        f"{label}: {legend[0]} {withheld if a is None else a}, {legend[1]} {withheld if b is None else b}"
        for label, a, b in rows
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="p-{id(rows)} pd-{id(rows)}">',
        f'<title id="p-{id(rows)}">{escape(title)}</title><desc id="pd-{id(rows)}">{escape(desc)}</desc>',
    ]
    for index, name in enumerate(legend):
        ly = 6 + index * 22
        parts.append(
            f'<rect x="{label_w}" y="{ly}" width="14" height="14" fill="{colours[index]}"/>'
            f'<text x="{label_w + 20}" y="{ly + 12}" font-size="13" fill="#1d1d1f">{escape(name)}</text>'
        )
    for index, (label, *values) in enumerate(rows):
        y = legend_h + pad + index * (2 * bar_h + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h + 4}" text-anchor="end" font-size="13" fill="#1d1d1f">'
            f"{escape(_fit(label, label_w - 8))}</text>"
        )
        for series, value in enumerate(values):
            by = y + series * bar_h
            length = 0 if value is None else round(bar_space * value / top)
            text = withheld if value is None else str(value)
            parts.append(
                f'<rect x="{label_w}" y="{by + 1}" width="{length}" height="{bar_h - 2}" '
                f'fill="{colours[series]}"/>'
                f'<text x="{label_w + length + 6}" y="{by + bar_h - 2}" font-size="12" fill="#1d1d1f">'
                f"{escape(text)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def small_multiples(
    title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, change: str
) -> str:
    """One small line chart per series, each on its own scale, so a status with 20 cases is as legible
    as one with 2,000 (on one shared axis nine lines of ten lay flat on zero). The words are HTML, not
    SVG text, so they stay readable when a phone shrinks the panels. `change` is a format string with
    %(first)s and %(month)s, e.g. "%(first)s in %(month)s"."""
    width, height, pad = 200, 70, 6
    panels = []
    for name, values in series:
        top, bottom = max(values, default=0), min(values, default=0)
        span = (top - bottom) or 1
        step = (width - 2 * pad) / max(1, len(values) - 1)
        points = " ".join(
            f"{pad + i * step:.1f},{pad + (height - 2 * pad) * (top - v) / span:.1f}"
            for i, v in enumerate(values)
        )
        first, last = (values[0], values[-1]) if values else (0, 0)
        then = change % {"first": first, "month": x_labels[0] if x_labels else ""}
        desc = f"{name}: " + ", ".join(
            f"{label} {value}" for label, value in zip(x_labels, values, strict=False)
        )
        panels.append(
            f'<figure class="multiple"><figcaption><strong>{escape(name)}</strong>: {last}'
            f' <span class="hint">({escape(then)})</span></figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'preserveAspectRatio="none" class="sparkline"><desc>{escape(desc)}</desc>'
            f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#8a8a8f"/>'
            f'<polyline points="{points}" fill="none" stroke="{_BAR}" stroke-width="2.5" '
            'vector-effect="non-scaling-stroke"/></svg>'
            f'<p class="axis hint">{escape(x_labels[0] if x_labels else "")} – '
            f"{escape(x_labels[-1] if x_labels else '')} · {bottom}–{top}</p></figure>"
        )
    return f'<div class="multiples" role="group" aria-label="{escape(title)}">{"".join(panels)}</div>'
