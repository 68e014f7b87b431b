"""The stylesheet's colour pairs meet WCAG 2.1 AA contrast (4.5:1 for text, 3:1 for focus and borders)."""

from __future__ import annotations

import re

import pytest

from kintrace.web.app import STATIC_DIR

CSS = (STATIC_DIR / "kintrace.css").read_text(encoding="utf-8")
COLOURS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (text colour, background) pairs the stylesheet actually uses for text.
TEXT_PAIRS = [
    ("ink", "bg"),
    ("ink", "soft"),
    ("muted", "bg"),
    ("muted", "soft"),
    ("accent", "bg"),
    ("accent", "soft"),
    ("accent-ink", "accent"),
    ("ink", "warn-bg"),
    ("accent", "warn-bg"),
    ("ink", "bad-bg"),
    ("bad-line", "bad-bg"),
    ("bad-line", "bg"),
    ("ink", "ok-bg"),
]


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_contrast_meets_aa(text: str, background: str) -> None:
    ratio = contrast(COLOURS[text], COLOURS[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1"


def test_the_focus_ring_stands_out() -> None:
    # The ring is the focus colour drawn over a dark outline, so it shows on light and dark alike.
    assert contrast(COLOURS["focus"], COLOURS["ink"]) >= 3
    assert ":focus-visible" in CSS


def test_the_contrast_formula_on_known_pairs() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
