"""The campaign page's three metric charts, drawn by the site's line chart (`portal.charts`):
bare charts over the page's one table of the same figures, each point titled with its
period and value, the first and last periods along the axis."""

from django.utils import dateformat
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.charts import Datum, line_svg

# (series key, title, what a point counts, unit)
METRIC_CHARTS = [
    ("impressions", _("Impressions"), _("impressions"), ""),
    ("engagements", _("Engagements"), _("engagements"), ""),
    ("engagement_rate", _("Engagement rate"), _("engagement rate"), "%"),
]


def _value(value, unit: str):
    # The series gives rates in percent (to two places, as the table shows them); the charts
    # take shares, as the report's do.
    return value / 100 if unit == "%" and value is not None else value


def _description(title: str, series: list[dict]) -> str:
    count = len(series)
    if series:
        text = ngettext(
            "%(title)s per reporting period, %(count)d period, from %(start)s to %(end)s.",
            "%(title)s per reporting period, %(count)d periods, from %(start)s to %(end)s.",
            count,
        ) % {
            "title": title,
            "count": count,
            "start": dateformat.format(series[0]["date"], "j F Y"),
            "end": dateformat.format(series[-1]["date"], "j F Y"),
        }
    else:
        text = ngettext(
            "%(title)s per reporting period, %(count)d period.",
            "%(title)s per reporting period, %(count)d periods.",
            count,
        ) % {"title": title, "count": count}
    return text + " " + gettext("The table below gives the same figures.")


def metric_charts(series: list[dict]) -> list[dict]:
    """The three campaign charts (impressions, engagements, engagement rate) from a metric series."""
    charts = []
    for key, title, label, unit in METRIC_CHARTS:
        title, label = str(title), str(label)
        data = [Datum(p["date"].isoformat(), _value(p[key], unit)) for p in series]
        svg = line_svg(
            data,
            chart_id=f"chart-{key}",
            title=title,
            description=_description(title, series),
            unit=unit,
            places=2,
            point_title=label,
            axis_ends=True,
            empty_text=gettext("No data yet"),
        )
        charts.append({"key": key, "title": title, "svg": svg})
    return charts
