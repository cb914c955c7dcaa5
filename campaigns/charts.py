"""The campaign page's three metric charts, drawn by the site's line chart (`portal.charts`):
bare charts over the page's one table of the same figures, each point titled with its
period and value, the first and last periods along the axis."""

from portal.charts import Datum, line_svg

# (series key, title, what a point counts, unit)
METRIC_CHARTS = [
    ("impressions", "Impressions", "impressions", ""),
    ("engagements", "Engagements", "engagements", ""),
    ("engagement_rate", "Engagement rate", "engagement rate", "%"),
]


def _value(value, unit: str):
    # The series gives rates in percent (to two places, as the table shows them); the charts
    # take shares, as the report's do.
    return value / 100 if unit == "%" and value is not None else value


def metric_charts(series: list[dict]) -> list[dict]:
    """The three campaign charts (impressions, engagements, engagement rate) from a metric series."""
    charts = []
    for key, title, label, unit in METRIC_CHARTS:
        data = [Datum(p["date"].isoformat(), _value(p[key], unit)) for p in series]
        description = (
            f"{title} per reporting period, {len(series)} period{'s' if len(series) != 1 else ''}"
            + (f", from {series[0]['date']:%-d %B %Y} to {series[-1]['date']:%-d %B %Y}." if series else ".")
            + " The table below gives the same figures."
        )
        svg = line_svg(
            data,
            chart_id=f"chart-{key}",
            title=title,
            description=description,
            unit=unit,
            places=2,
            point_title=label,
            axis_ends=True,
            empty_text="No data yet",
        )
        charts.append({"key": key, "title": title, "svg": svg})
    return charts
