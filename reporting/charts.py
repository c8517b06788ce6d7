"""Server-rendered SVG charts for the dashboard.

Chosen over a JavaScript charting library because the charts then need no build step and no vendored
bundle, show with JavaScript off, print, and are testable as markup: the page's 30-second refresh swaps
the server-rendered fragment in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0f766e", "#be123c")


@dataclass(frozen=True)
class Series:
    name: str
    points: list[tuple[str, float]]  # (label, value) in order


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def line_chart(series: list[Series], *, title: str, width: int = 640, height: int = 240) -> str:
    """A line chart of one or more series sharing x labels. Empty data gives an honest empty chart."""
    left, right, top, bottom = 56, 12, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    labels = [label for label, _ in series[0].points] if series else []
    peak = _nice_max(max((v for s in series for _, v in s.points), default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart chart-line" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="{left}" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_fmt(peak * i / 4)}</text>')
    n = len(labels)
    step = max(1, n // 6)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
            parts.append(
                f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" class="tick">{escape(label)}</text>'
            )
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        coords = []
        for i, (_label, value) in enumerate(s.points):
            x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
            y = top + plot_h - plot_h * value / peak
            coords.append(f"{x:.1f},{y:.1f}")
        if coords:
            parts.append(
                f'<polyline class="series" data-series="{escape(s.name)}" data-points="{len(coords)}" '
                f'fill="none" stroke="{color}" stroke-width="2" points="{" ".join(coords)}"/>'
            )
        parts.append(
            f'<text x="{left + 8 + 120 * k}" y="{top + 12}" fill="{color}" class="legend">{escape(s.name)}</text>'
        )
    if not labels:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="empty">No data yet</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(bars: list[tuple[str, float]], *, title: str, width: int = 640, bar_height: int = 22) -> str:
    """Horizontal bars, one per (label, value)."""
    left, right, top = 150, 60, 28
    height = top + max(1, len(bars)) * (bar_height + 6) + 8
    peak = max((v for _, v in bars), default=0) or 1
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart chart-bar" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="8" y="16" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar_height + 6)
        w = plot_w * value / peak
        color = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height - 6}" text-anchor="end" class="tick">{escape(label)}</text>'
        )
        parts.append(
            f'<rect class="bar" data-value="{value:g}" x="{left}" y="{y}" width="{w:.1f}" '
            f'height="{bar_height}" fill="{color}"/>'
        )
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + bar_height - 6}" class="tick">{_fmt(value)}</text>')
    if not bars:
        parts.append(f'<text x="{width / 2}" y="{top + 16}" text-anchor="middle" class="empty">No data yet</text>')
    parts.append("</svg>")
    return "".join(parts)
