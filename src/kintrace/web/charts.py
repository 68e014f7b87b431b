"""Charts drawn on the server as SVG: no script, no chart library, readable without colour.

Every bar carries its number as text and the chart a <title> and <desc>, so a screen reader and a
printout say what the picture shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

_BAR = "#1f5f8b"  # 7.0:1 against white


def bar_chart(title: str, rows: Sequence[tuple[str, int]], *, width: int = 640) -> str:
    """Horizontal bars, one per (label, count), with the count written at the bar's end."""
    row_h, pad = 26, 8
    # Room for the longest label (about 7 px a character at 13 px), but never more than 60 % of the width.
    label_w = min(int(width * 0.6), 16 + 7 * max((len(label) for label, _ in rows), default=0))
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
            f"{escape(label)}</text>"
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
