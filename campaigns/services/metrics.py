"""Metric reports, from the form and from an all-or-nothing CSV upload."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns import metrics_csv
from campaigns.models import (
    Campaign,
    CampaignStatus,
    MetricReport,
)
from campaigns.permissions import (
    can_report_metrics,
)
from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError

# --- Metrics ----------------------------------------------------------------------------------

METRIC_COUNTS = ("impressions", "engagements", "shares", "clicks")


def _metric_errors(campaign: Campaign, values: dict, items: dict) -> dict[str, str]:
    """Domain checks of one report: counts, its period inside the campaign, its content item."""
    errors: dict[str, str] = {}
    for name in METRIC_COUNTS:
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = _("Must be a whole number, zero or more.")
    start, end = values.get("period_start"), values.get("period_end")
    if start and end:
        within = _("Must be within the campaign (%(start)s to %(end)s).") % {
            "start": campaign.start_date,
            "end": campaign.end_date,
        }
        if end < start:
            errors["period_end"] = _("The period must not end before it starts.")
        if start < campaign.start_date or start > campaign.end_date:
            errors["period_start"] = within
        if end > campaign.end_date or end < campaign.start_date:
            errors["period_end"] = within
    item_id = values.get("content_item")
    if item_id is not None and item_id not in items:
        errors["content_item"] = _("No such content item in this campaign.")
    return errors


def _reportable_items(by, campaign: Campaign) -> dict:
    from campaigns.selectors import content_items_visible_to

    return {i.pk: i for i in content_items_visible_to(by, campaign=campaign)}


def _check_can_report(by, campaign: Campaign) -> None:
    if not can_report_metrics(by, campaign):
        raise NotAllowed(_("Only policy staff and the campaign's partners report metrics."))
    if campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError(_("An archived campaign takes no new metrics."))


@transaction.atomic
def metric_report_create(
    *,
    by,
    campaign: Campaign,
    period_start: dt.date,
    period_end: dt.date,
    impressions: int,
    engagements: int,
    shares: int,
    clicks: int,
    content_item=None,
    request=None,
) -> MetricReport:
    _check_can_report(by, campaign)
    item_id = getattr(content_item, "pk", content_item)
    values = dict(
        period_start=period_start,
        period_end=period_end,
        impressions=impressions,
        engagements=engagements,
        shares=shares,
        clicks=clicks,
        content_item=item_id,
    )
    items = _reportable_items(by, campaign) if item_id is not None else {}
    errors = _metric_errors(campaign, values, items)
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field)
    values["content_item"] = items.get(item_id)
    report = MetricReport.objects.create(campaign=campaign, submitted_by=by, organisation=organisation_of(by), **values)
    audit("campaign.metrics", actor=by, obj=campaign, request=request, reports=1)
    return report


class MetricImportError(DomainError):
    """A CSV that can't be imported: `rows` lists (line, {field: message}) for each bad row."""

    def __init__(self, message: str, rows: list[tuple[int, dict]] | None = None):
        super().__init__(message, field="file")
        self.rows = rows or []


@transaction.atomic
def metric_reports_import_csv(*, by, campaign: Campaign, raw: bytes, request=None) -> list[MetricReport]:
    """All or nothing: every row is checked first, and any bad row stores none of them."""
    _check_can_report(by, campaign)
    try:
        parsed = metrics_csv.parse(metrics_csv.decode(raw))
    except metrics_csv.CsvFormatError as exc:
        raise MetricImportError(str(exc)) from exc
    items = _reportable_items(by, campaign)
    bad = []
    for line, values, errors in parsed:
        if not errors:
            errors = _metric_errors(campaign, values, items)
        if errors:
            bad.append((line, errors))
    if bad:
        message = ngettext(
            "%(bad)d of %(count)d row has errors; nothing was imported.",
            "%(bad)d of %(count)d rows have errors; nothing was imported.",
            len(parsed),
        ) % {"bad": len(bad), "count": len(parsed)}
        raise MetricImportError(message, bad)
    organisation = organisation_of(by)
    reports = MetricReport.objects.bulk_create(
        [
            MetricReport(
                campaign=campaign,
                submitted_by=by,
                organisation=organisation,
                **{**values, "content_item": items.get(values["content_item"])},
            )
            for _line, values, _errors in parsed
        ]
    )
    audit("campaign.metrics_import", actor=by, obj=campaign, request=request, reports=len(reports))
    return reports


__all__ = [
    "METRIC_COUNTS",
    "MetricImportError",
    "metric_report_create",
    "metric_reports_import_csv",
]
