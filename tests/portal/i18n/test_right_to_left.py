"""Arabic pages mirror because the stylesheet names no physical side (SPEC §20)."""

import re
from pathlib import Path

from django.conf import settings

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"
PHYSICAL = [
    re.compile(r"(?<![\w-])(left|right)\s*:"),  # left: 0 → inset-inline-start
    re.compile(r"-(left|right)\b"),  # margin-left, border-right-color → *-inline-*
    re.compile(r"(text-align|float|clear)\s*:\s*(left|right)\b"),  # → start / end
    # A four-value margin or padding with different left and right values.
    re.compile(r"(?:margin|padding)\s*:\s*([^\s;}]+)\s+([^\s;}]+)\s+[^\s;}]+\s+(?!\2[\s;}])[^\s;}]+\s*[;}]"),
]


def physical_properties(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [line.strip() for line in css.splitlines() if any(p.search(line) for p in PHYSICAL)]


def test_the_stylesheet_uses_logical_properties_only():
    assert physical_properties(STYLESHEET.read_text()) == []


def test_the_check_finds_physical_sides():
    css = ".a { margin-left: 1rem; }\n.b { left: 0; }\n.c { text-align: right; }\n.d { padding: 0 1rem 0 2rem; }\n"
    css += ".ok { margin-inline-start: 1rem; inset-inline-end: 0; text-align: start; padding: 0 1rem 0 1rem; }\n"
    assert physical_properties(css) == [
        ".a { margin-left: 1rem; }",
        ".b { left: 0; }",
        ".c { text-align: right; }",
        ".d { padding: 0 1rem 0 2rem; }",
    ]


def test_arabic_pages_are_right_to_left_and_others_left_to_right(client, db):
    for language, direction in [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")]:
        page = client.get("/transparency/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in page


def test_charts_mirror_in_arabic_and_write_numbers_the_languages_way():
    from django.utils import translation

    from portal.charts import Datum, bar_chart, show

    with translation.override("en"):
        english = bar_chart([Datum("Actioned", 3)], chart_id="c", title="t", description="d")
        assert (show(1204), show(0.125, "%")) == ("1,204", "12.5 %")
    with translation.override("fr"):
        assert (show(1204), show(0.125, "%")) == ("1\xa0204", "12,5 %")
    with translation.override("ar"):
        arabic = bar_chart([Datum("Actioned", 3)], chart_id="c", title="t", description="d")
    assert 'direction="ltr"' in english and '<text x="0" y="23"' in english
    assert '<rect class="chart-bar" x="0.0"' in english
    # The label starts at the right edge and the bar grows leftwards from it.
    assert 'direction="rtl"' in arabic and '<text x="400" y="23"' in arabic
    assert '<rect class="chart-bar" x="220.0" y="29" width="180.0"' in arabic
