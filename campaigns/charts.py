"""Server-rendered SVG line charts: readable without JavaScript, each with a title and a
description for assistive technology (pages pair each chart with a data table too).

Not `portal.charts.line_chart`: that one draws a `<figure>` with its own table and labels
the periods along the axis, while the campaign page shows three bare charts over one shared
table, each point titled with its date and value, rates already in percent. The scale is
the site's (`portal.charts.nice_max`).
"""

import datetime as dt

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.charts import nice_max

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


def format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "no data"
    if unit == "%":
        return f"{value:.2f} %"
    return f"{value:,.0f}"


def line_chart(
    points: list[tuple[dt.date, float | None]], *, chart_id: str, title: str, description: str, label: str, unit=""
) -> SafeString:
    """A line chart of `points` (date, value); None values are gaps. Returns safe SVG markup."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
    )
    values = [v for _, v in points if v is not None]
    if not values:
        return mark_safe(  # noqa: S308 - every interpolated text is escaped above and below
            head + f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">No data yet</text></svg>'
        )
    top = nice_max(max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = len(points) - 1

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if span == 0 else plot_w * i / span)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [head]
    for fraction in (0, 0.5, 1):
        tick = top * fraction
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#d9dee5" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{escape(format_value(tick, unit))}</text>'
        )
    first, last = points[0][0], points[-1][0]
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 12}" text-anchor="start">{first:%-d %b %Y}</text>')
    if span:
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 12}" text-anchor="end">{last:%-d %b %Y}</text>')
    segment: list[str] = []
    segments = [segment]
    for i, (_, value) in enumerate(points):
        if value is None:
            segment = []
            segments.append(segment)
        else:
            segment.append(f"{x(i):.1f},{y(value):.1f}")
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline fill="none" stroke="#1f4e79" stroke-width="2" points="{" ".join(seg)}"/>')
    for i, (day, value) in enumerate(points):
        if value is None:
            continue
        point_title = f"{day.isoformat()}: {format_value(value, unit)} {label}"
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" fill="#0f766e">'
            f"<title>{escape(point_title)}</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped


def metric_charts(series: list[dict]) -> list[dict]:
    """The three campaign charts (impressions, engagements, engagement rate) from a metric series."""
    specs = [
        ("impressions", "Impressions", "impressions", ""),
        ("engagements", "Engagements", "engagements", ""),
        ("engagement_rate", "Engagement rate", "engagement rate", "%"),
    ]
    charts = []
    for key, title, label, unit in specs:
        points = [(p["date"], p[key]) for p in series]
        description = (
            f"{title} per reporting period, {len(points)} period{'s' if len(points) != 1 else ''}"
            + (f", from {points[0][0]:%-d %B %Y} to {points[-1][0]:%-d %B %Y}." if points else ".")
            + " The table below gives the same figures."
        )
        charts.append(
            {
                "key": key,
                "title": title,
                "svg": line_chart(
                    points, chart_id=f"chart-{key}", title=title, description=description, label=label, unit=unit
                ),
            }
        )
    return charts
