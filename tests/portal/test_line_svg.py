"""The options of the site's line chart that the campaign page uses (bare, titled points,
labelled ends, an empty text, two decimals), next to the report's figure with its table."""

import re

from portal.charts import Datum, line_chart, line_svg, show

MONTHS = [Datum(f"2026-{m:02d}", m * 10) for m in range(1, 13)]


def _labels(svg: str) -> list[str]:
    return re.findall(r'y="226" [^>]*>([^<]+)</text>', svg)


def test_the_bare_chart_is_the_figure_without_its_caption_and_table():
    bare = line_svg(MONTHS, chart_id="c", title="t", description="d")
    figure = line_chart(MONTHS, chart_id="c", title="t", description="d")
    assert bare.startswith("<svg") and bare in figure
    assert "<table" not in bare and "<table" in figure


def test_periods_are_spread_along_the_axis_or_only_at_its_ends():
    assert _labels(line_svg(MONTHS, chart_id="c", title="t", description="d")) == [
        "2026-01",
        "2026-03",
        "2026-05",
        "2026-07",
        "2026-09",
        "2026-11",
        "2026-12",
    ]
    assert _labels(line_svg(MONTHS, chart_id="c", title="t", description="d", axis_ends=True)) == [
        "2026-01",
        "2026-12",
    ]


def test_points_are_titled_only_when_asked_and_gaps_have_no_point():
    data = [Datum("a", 0.0463), Datum("b", None), Datum("c", "<5")]
    plain = line_svg(data, chart_id="c", title="t", description="d", unit="%")
    titled = line_svg(data, chart_id="c", title="t", description="d", unit="%", places=2, point_title="rate")
    assert "<circle" in plain and "</circle>" not in plain
    assert re.findall(r"<circle[^>]*><title>([^<]+)</title>", titled) == ["a: 4.63 % rate"]


def test_with_nothing_to_draw_the_empty_text_replaces_the_grid():
    empty = line_svg([Datum("a", None)], chart_id="c", title="t", description="d", empty_text="No data yet")
    assert "No data yet" in empty and "<line" not in empty
    assert "<line" in line_svg([Datum("a", None)], chart_id="c", title="t", description="d")


def test_places_set_the_decimals_of_shares_and_fractions():
    assert (show(0.0463, "%", 2), show(2.5, "", 2), show(1234, "", 2)) == ("4.63 %", "2.50", "1,234")


def test_the_first_and_last_period_labels_are_anchored_inwards_so_they_are_not_cut_off():
    from portal.charts import Datum, line_svg

    svg = line_svg([Datum(f"2026-0{i}", i) for i in range(1, 7)], chart_id="c", title="t", description="d")
    anchors = re.findall(r'text-anchor="(\w+)">2026-0\d<', str(svg))
    assert anchors[0] == "start" and anchors[-1] == "end" and set(anchors[1:-1]) == {"middle"}
