"""Parsing a metrics CSV into typed rows, each with its own errors (no database access)."""

import csv
import datetime as dt
import io
import uuid

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

HEADER = ("period_start", "period_end", "impressions", "engagements", "shares", "clicks", "content_item")
REQUIRED = HEADER[:-1]
COUNTS = ("impressions", "engagements", "shares", "clicks")
MAX_ROWS = 5000
MAX_COUNT = 10**15


class CsvFormatError(Exception):
    """The file as a whole can't be read (encoding, header, size)."""


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFormatError(_("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")) from exc


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value}) from None


def _count(value: str) -> int:
    value = value.strip()
    if value.startswith("-") and value[1:].isdigit():
        raise ValueError(_("Must not be negative."))
    if not value.isdigit():
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
    number = int(value)
    if number > MAX_COUNT:
        raise ValueError(_("Is too large."))
    return number


def parse(text: str) -> list[tuple[int, dict, dict]]:
    """Return (line number, values, errors) per data row; raise CsvFormatError for the whole file."""
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in (reader.fieldnames or [])]
    missing = [f for f in REQUIRED if f not in fields]
    unknown = [f for f in fields if f not in HEADER]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("missing %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown %(columns)s") % {"columns": ", ".join(unknown)})
        raise CsvFormatError(
            _("The header must be %(header)s (%(problems)s).")
            % {"header": ",".join(HEADER), "problems": "; ".join(problems)}
        )
    reader.fieldnames = fields
    rows = []
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise CsvFormatError(
                    ngettext(
                        "Upload at most %(count)d row at a time.", "Upload at most %(count)d rows at a time.", MAX_ROWS
                    )
                    % {"count": MAX_ROWS}
                )
            if None in record:
                rows.append((reader.line_num, {}, {"row": _("This row has more columns than the header.")}))
                continue
            if not any((v or "").strip() for v in record.values()):
                continue
            rows.append((reader.line_num, *_row(record)))
    except csv.Error as exc:
        raise CsvFormatError(_("The file is not valid CSV: %(problem)s.") % {"problem": exc}) from exc
    if not rows:
        raise CsvFormatError(_("The file has no data rows."))
    return rows


def _row(record: dict) -> tuple[dict, dict]:
    values, errors = {}, {}
    required = [(name, _date) for name in ("period_start", "period_end")] + [(name, _count) for name in COUNTS]
    for name, parse in required:
        raw = (record.get(name) or "").strip()
        if not raw:
            errors[name] = _("Required.")
            continue
        try:
            values[name] = parse(raw)
        except ValueError as exc:
            errors[name] = str(exc)
    raw_item = (record.get("content_item") or "").strip()
    values["content_item"] = None
    if raw_item:
        try:
            values["content_item"] = uuid.UUID(raw_item)
        except ValueError:
            errors["content_item"] = _("“%(value)s” is not a content item id.") % {"value": raw_item}
    return values, errors
