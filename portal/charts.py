"""Server-rendered SVG charts with their text alternative, for pages under a strict CSP.

Each chart is a `<figure>`: a caption, an `<svg role="img">` labelled by its own `<title>`
and `<desc>` (via `aria-labelledby`), and a data table with the same numbers, which is the
text alternative screen-reader users and anyone copying the figures read. No script and no
`style=""`: colours are SVG presentation attributes and sizes come from the viewBox, so the
chart scales to a phone's width.

In a right-to-left language the drawing mirrors: labels at the right, bars growing leftwards,
time running from right to left (x coordinates are mirrored; the SVG's `direction` makes each
text's anchor mirror with them).

Values are numbers, `None` (no data: drawn as a gap) or a suppression marker string such as
"<5" (drawn as no bar, labelled "< 5").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi, gettext
from django.utils.translation import gettext_lazy as _

WIDTH = 400
BAR_FILL = "#1f4e79"
LINE_STROKE = "#0f766e"
GRID_STROKE = "#d9dee5"
TEXT_FILL = "#5a6472"


@dataclass(frozen=True)
class Datum:
    label: str
    value: float | int | str | None


def show(value, unit: str = "", places: int = 1) -> str:
    """The value as the page shows it: thousands separators, "< 5" for a suppressed cell, a
    share (unit "%") in percent; `places` decimals for a share or a fraction."""
    if value is None:
        return gettext("not shown")
    if isinstance(value, str):
        return value.replace("<", "< ") if value.startswith("<") else value
    if unit == "%":
        return f"{number_format(value * 100, places, force_grouping=True)} %"
    if isinstance(value, float) and not value.is_integer():
        return f"{number_format(value, places, force_grouping=True)}{unit}"
    return f"{number_format(round(value), 0, force_grouping=True)}{unit}"


def _numeric(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def nice_max(value: float) -> float:
    """The top of a value axis for data up to `value`: the smallest 1, 2 or 5 × 10^n not
    below it (1 for nothing above zero), so the scale reads well."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _mirrored(x: float) -> float:
    """`x` as drawn in the active language's direction."""
    return WIDTH - x if get_language_bidi() else x


def _svg_open(chart_id: str, height: int, title: str, description: str) -> str:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" direction="{}" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH,
        height,
        "rtl" if get_language_bidi() else "ltr",
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
    )


def _table(title: str, label_heading: str, value_heading: str, data: Sequence[Datum], unit: str) -> str:
    rows = "".join(
        format_html('<tr><th scope="row">{}</th><td>{}</td></tr>', d.label, show(d.value, unit)) for d in data
    )
    return format_html(
        '<div class="table-wrap"><table class="chart-data"><caption>{}</caption><thead><tr>'
        '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table></div>',
        gettext("%(title)s: the data") % {"title": title},
        label_heading,
        value_heading,
        mark_safe(rows),  # noqa: S308 - built from format_html pieces above
    )


def _figure(chart_id: str, title: str, svg: str, table: str) -> SafeString:
    return format_html(
        '<figure class="report-chart" id="{}"><figcaption><h3>{}</h3></figcaption>{}{}</figure>',
        chart_id,
        title,
        mark_safe(svg),  # noqa: S308 - every interpolated text in the SVG is escaped
        mark_safe(table),  # noqa: S308 - built with format_html
    )


def bar_chart(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    description: str,
    label_heading: str = _("Item"),
    value_heading: str = _("Count"),
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one per datum, the label above its bar and the value after it."""
    row_h, top = 46, 8
    height = top + row_h * max(len(data), 1) + 8
    numbers = [n for n in (_numeric(d.value) for d in data) if n is not None]
    scale = nice_max(max(numbers)) if numbers else 1
    plot_w = WIDTH - 100
    parts = [_svg_open(chart_id, height, title, description)]
    for i, datum in enumerate(data):
        y = top + i * row_h
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}" font-size="15">{}</text>', _mirrored(0), y + 15, TEXT_FILL, datum.label
            )
        )
        number = _numeric(datum.value)
        width = 0.0 if number is None else plot_w * number / scale
        if number is not None and width > 0:
            parts.append(
                format_html(
                    '<rect class="chart-bar" x="{}" y="{}" width="{}" height="18" rx="2" fill="{}"/>',
                    f"{_mirrored(max(width, 1)) if get_language_bidi() else 0:.1f}",
                    y + 21,
                    f"{max(width, 1):.1f}",
                    BAR_FILL,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}" font-size="15">{}</text>',
                f"{_mirrored(width + 6):.1f}",
                y + 35,
                TEXT_FILL,
                show(datum.value, unit),
            )
        )
    parts.append("</svg>")
    return _figure(chart_id, title, "".join(parts), _table(title, label_heading, value_heading, data, unit))


def line_svg(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    description: str,
    unit: str = "",
    places: int = 1,
    point_title: str | None = None,
    axis_ends: bool = False,
    empty_text: str | None = None,
) -> SafeString:
    """A line through the data in order, as a bare `<svg>` (a page that shows several over one
    table); suppressed or missing values break the line.

    Values are shown with `show(value, unit, places)`. `point_title` titles each point
    "<label>: <value> <point_title>" (a tooltip); `axis_ends` labels only the first and last
    periods; `empty_text` is drawn instead of an empty grid when there is no value to draw.
    """
    height, left, right, top, bottom = 240, 56, 16, 16, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    numbers = [n for n in (_numeric(d.value) for d in data) if n is not None]
    parts = [_svg_open(chart_id, height, title, description)]
    if not numbers and empty_text is not None:
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}" font-size="13" text-anchor="middle">{}</text></svg>',
                WIDTH // 2,
                height // 2,
                TEXT_FILL,
                empty_text,
            )
        )
        return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped
    scale = nice_max(max(numbers)) if numbers else 1
    span = max(len(data) - 1, 1)

    def x(i: int) -> float:
        return _mirrored(left + (plot_w / 2 if len(data) == 1 else plot_w * i / span))

    def y(value: float) -> float:
        return top + plot_h * (1 - value / scale)

    for fraction in (0, 0.5, 1):
        tick_y = y(scale * fraction)
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" fill="{}" font-size="13" text-anchor="end">{}</text>',
                _mirrored(left),
                _mirrored(WIDTH - right),
                f"{tick_y:.1f}",
                f"{tick_y:.1f}",
                GRID_STROKE,
                _mirrored(left - 6),
                f"{tick_y + 4:.1f}",
                TEXT_FILL,
                show(scale * fraction, unit, places),
            )
        )
    segments: list[list[str]] = [[]]
    for i, datum in enumerate(data):
        number = _numeric(datum.value)
        if number is None:
            segments.append([])
            continue
        segments[-1].append(f"{x(i):.1f},{y(number):.1f}")
        if point_title is None:
            parts.append(
                format_html('<circle cx="{}" cy="{}" r="3" fill="{}"/>', f"{x(i):.1f}", f"{y(number):.1f}", LINE_STROKE)
            )
        else:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}</title></circle>',
                    f"{x(i):.1f}",
                    f"{y(number):.1f}",
                    LINE_STROKE,
                    # Translators: a point's tooltip: period, value and what is counted ("Mar: 1,204 views").
                    gettext("%(label)s: %(value)s %(what)s")
                    % {"label": datum.label, "value": show(datum.value, unit, places), "what": point_title},
                )
            )
    for points in segments:
        if len(points) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>', " ".join(points), LINE_STROKE
                )
            )
    parts.extend(_period_labels(data, x, height, axis_ends))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped


def _period_labels(data: Sequence[Datum], x: Callable[[int], float], height: int, ends: bool) -> list[str]:
    """Labels under the line: at most about eight, spread out and always the last; or, with
    `ends`, the first at the start and the last at the end."""
    if not data:
        return []
    if ends:
        placed = [(0, "start")] + ([(len(data) - 1, "end")] if len(data) > 1 else [])
    else:
        label_every = max(1, math.ceil(len(data) / 8))
        last = len(data) - 1
        # The end labels are anchored inwards, so they are not cut off at the chart's edges.
        placed = [
            (i, "start" if i == 0 and last else "end" if i == last and last else "middle")
            for i in range(len(data))
            if i % label_every == 0 or i == last
        ]
    return [
        format_html(
            '<text x="{}" y="{}" fill="{}" font-size="13" text-anchor="{}">{}</text>',
            f"{x(i):.1f}",
            height - 14,
            TEXT_FILL,
            anchor,
            data[i].label,
        )
        for i, anchor in placed
    ]


def line_chart(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    description: str,
    label_heading: str = _("Period"),
    value_heading: str = _("Count"),
    unit: str = "",
) -> SafeString:
    """A line through the data in order, in a `<figure>` with its data table (see `line_svg`)."""
    svg = line_svg(data, chart_id=chart_id, title=title, description=description, unit=unit)
    return _figure(chart_id, title, svg, _table(title, label_heading, value_heading, data, unit))


def data_from(rows: Sequence[dict], label: str | Callable[[dict], str], value: str) -> list[Datum]:
    """Chart data from a list of dicts (the shape of the transparency figures)."""
    get_label = label if callable(label) else (lambda row: str(row[label]))
    return [Datum(get_label(row), row[value]) for row in rows]


__all__ = ["Datum", "bar_chart", "data_from", "line_chart", "line_svg", "nice_max", "show"]
