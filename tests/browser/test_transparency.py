"""An anonymous visitor reads the transparency report for a quarter and downloads it."""

import csv
import io
from pathlib import Path

from tests.dashboards.test_transparency_dataset import ORGANISATION_NAMES, build_dataset


def test_a_visitor_picks_a_quarter_sees_the_charts_and_downloads_the_csv(page, live_server, routing_table, ngo, agency):
    referrals = build_dataset(ngo, agency)

    page.goto(f"{live_server.url}/transparency/")
    assert page.get_by_role("heading", name="Transparency report", level=1).is_visible()
    page.get_by_label("Period", exact=True).select_option("2026-Q1")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**/transparency/?period=2026-Q1**")

    assert page.get_by_text("first quarter of 2026").first.is_visible()
    charts = page.locator("svg[role=img]")
    assert charts.count() == 8
    kind_chart = page.get_by_role("img", name="Referrals by kind")
    assert kind_chart.is_visible()
    assert page.get_by_role("table", name="Referrals by kind: the data").is_visible()
    main = page.locator("main").inner_text()
    assert "< 5" in main
    for name in ORGANISATION_NAMES:
        assert name not in main
    assert referrals["R1"].reference not in main

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "transparency-2026-Q1.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["section", "key", "label", "measure", "value"]
    values = {(r[0], r[1], r[3]): r[4] for r in rows[1:]}
    assert values[("totals", "received", "count")] == "24"
    assert values[("by_kind", "emergency_request", "count")] == "<5"


def test_the_report_fits_a_phone_screen(page, live_server, routing_table, ngo, agency):
    build_dataset(ngo, agency)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/transparency/?period=2026-Q1")
    assert page.get_by_role("img", name="Outcomes").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
