"""The one CSV writer for files the portal offers for download.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
carriage return) as a formula, so text that came from a person (a case number, a queue name)
could open links or read other cells when the file is opened (OWASP "CSV injection"). Every
text cell starting so is written with a leading apostrophe, which spreadsheets show as text.
Numbers are written as they are: a negative number is not a formula.
"""

from __future__ import annotations

import csv
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """`value` as CSV text: "" for None, ISO 8601 for dates and times, text defused."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    """A file that hands back what is written to it, for streaming rows one by one."""

    def write(self, value):
        return value


class Writer:
    def __init__(self, file, **fmtparams):
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(file=None, **fmtparams) -> Writer:
    """A `csv.writer` whose every cell goes through `cell`. Without `file`, `writerow` returns
    the line it wrote (for a StreamingHttpResponse)."""
    return Writer(_Echo() if file is None else file, **fmtparams)
