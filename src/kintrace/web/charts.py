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
_AXIS_TEXT = 'text-anchor="end" font-size="12" fill="#1d1d1f"'
_DASHES = ("", "6 3", "2 3", "10 3 2 3", "1 2", "8 2 2 2 2 2", "4 4", "12 4", "3 6", "6 2 1 2")


def line_chart(
    title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, width: int = 640
) -> str:
    """One line per series over the labelled x positions, with a legend naming each line."""
    pad_left, pad_right, pad_top = 44, 30, 16
    legend_rows = -(-len(series) // 2)
    plot_h = 200
    height = pad_top + plot_h + 28 + legend_rows * 20 + 8
    top = max((v for _, values in series for v in values), default=0) or 1
    step = (width - pad_left - pad_right) / max(1, len(x_labels) - 1)

    def x(i: int) -> float:
        return pad_left + i * step

    def y(v: int) -> float:
        return pad_top + plot_h - plot_h * v / top

    desc = "; ".join(f"{name}: {', '.join(map(str, values))}" for name, values in series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="l-{id(series)} ld-{id(series)}">',
        f'<title id="l-{id(series)}">{escape(title)}</title><desc id="ld-{id(series)}">{escape(desc)}</desc>',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - pad_right}" y2="{pad_top + plot_h}" '
        'stroke="#1d1d1f"/>',
        f'<text x="{pad_left - 6}" y="{pad_top + 4}" {_AXIS_TEXT}>{top}</text>',
        f'<text x="{pad_left - 6}" y="{pad_top + plot_h}" {_AXIS_TEXT}>0</text>',
    ]
    for i, label in enumerate(x_labels):
        if len(x_labels) <= 12 or i % 2 == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{pad_top + plot_h + 16}" text-anchor="middle" font-size="11" '
                f'fill="#1d1d1f">{escape(label)}</text>'
            )
    for index, (name, values) in enumerate(series):
        colour, dash = SERIES_COLOURS[index % len(SERIES_COLOURS)], _DASHES[index % len(_DASHES)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        lx = pad_left + (index % 2) * (width - pad_left) / 2
        ly = pad_top + plot_h + 34 + (index // 2) * 20
        parts.append(
            f'<line x1="{lx:.1f}" y1="{ly - 4}" x2="{lx + 24:.1f}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
            f'<text x="{lx + 30:.1f}" y="{ly}" font-size="12" fill="#1d1d1f">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


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
