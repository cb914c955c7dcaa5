"""The report's SVG charts: accessible, escaped, CSP-safe, honest about suppressed cells."""

import re

from portal.charts import Datum, bar_chart, line_chart, show


def test_a_bar_chart_is_an_image_labelled_by_its_title_and_description_with_a_data_table():
    html = bar_chart(
        [Datum("Notice", 12), Datum("Removal order", 6)], chart_id="c1", title="By kind", description="Bars."
    )
    assert '<svg class="chart"' in html
    assert 'role="img"' in html
    assert 'aria-labelledby="c1-title c1-desc"' in html
    assert '<title id="c1-title">By kind</title>' in html
    assert '<desc id="c1-desc">Bars.</desc>' in html
    assert "<caption>By kind: the data</caption>" in html
    assert '<th scope="row">Notice</th><td>12</td>' in html
    assert html.count("<rect") == 2


def test_bars_are_proportional_to_their_values():
    html = bar_chart([Datum("a", 10), Datum("b", 5)], chart_id="c", title="t", description="d")
    widths = [float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', html)]
    assert widths[0] == 2 * widths[1]


def test_a_suppressed_cell_draws_no_bar_and_reads_less_than_five():
    html = bar_chart([Datum("a", "<5"), Datum("b", 7)], chart_id="c", title="t", description="d")
    assert html.count("<rect") == 1
    assert "&lt; 5" in html


def test_labels_are_escaped():
    html = bar_chart([Datum("<script>x</script>", 1)], chart_id="c", title="<b>", description="&")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<title id="c-title">&lt;b&gt;</title>' in html


def test_charts_use_no_inline_style():
    bars = bar_chart([Datum("a", 1)], chart_id="c", title="t", description="d")
    line = line_chart([Datum("Jan", 1), Datum("Feb", 3)], chart_id="l", title="t", description="d")
    assert "style=" not in bars + line


def test_a_line_chart_breaks_at_a_suppressed_point():
    html = line_chart(
        [Datum("Jan", 10), Datum("Feb", 12), Datum("Mar", "<5"), Datum("Apr", 8), Datum("May", 9)],
        chart_id="l",
        title="Per month",
        description="A line.",
    )
    assert html.count("<polyline") == 2
    assert html.count("<circle") == 4
    assert '<th scope="row">Mar</th><td>&lt; 5</td>' in html


def test_an_empty_chart_still_renders():
    html = bar_chart([Datum("a", "<5")], chart_id="c", title="t", description="d")
    assert "<rect" not in html
    assert "</svg>" in html


def test_values_are_shown_readably():
    assert show(1234) == "1,234"
    assert show(59.5) == "59.5"
    assert show(0.7143, "%") == "71.4 %"
    assert show("<5") == "< 5"
    assert show(None) == "not shown"
