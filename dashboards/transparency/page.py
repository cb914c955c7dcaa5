"""What the `/transparency/` page shows for a set of public figures: charts and table rows."""

from __future__ import annotations

from datetime import date

from django.utils import dateformat
from django.utils.translation import gettext as _

from portal.charts import Datum, bar_chart, data_from, line_chart, show


def _month_label(month: str) -> str:
    return dateformat.format(date.fromisoformat(f"{month}-01"), "M Y")


def deadline(minutes: int) -> str:
    """60 → "60 min", 1440 → "24 h", 90 → "90 min"."""
    if minutes > 60 and minutes % 60 == 0:
        return _("%(hours)d h") % {"hours": minutes // 60}
    return _("%(minutes)d min") % {"minutes": minutes}


def report_context(figures: dict) -> dict:
    """Charts (each with its data table) and display rows for the public figures."""
    removal = figures["removal_orders_within_60_minutes"]
    charts = {
        "by_kind": bar_chart(
            data_from(figures["by_kind"], "label", "count"),
            chart_id="chart-kind",
            title=_("Referrals by kind"),
            description=_("Horizontal bars: referrals received in the period for each kind of referral."),
            label_heading=_("Kind"),
        ),
        "by_category": bar_chart(
            data_from(figures["by_category"], "label", "count"),
            chart_id="chart-category",
            title=_("Referrals by category"),
            description=_("Horizontal bars: referrals received in the period for each category of content."),
            label_heading=_("Category"),
        ),
        "by_submitter_kind": bar_chart(
            data_from(figures["by_submitter_kind"], "label", "count"),
            chart_id="chart-submitter",
            title=_("Referrals by submitter"),
            description=_("Horizontal bars: referrals from civil-society partners and from law enforcement."),
            label_heading=_("Submitter"),
        ),
        "by_month": line_chart(
            data_from(figures["by_month"], lambda row: _month_label(row["month"]), "count"),
            chart_id="chart-month",
            title=_("Referrals received per month"),
            description=_("A line over the months of the period; a gap marks a month with fewer than 5."),
            label_heading=_("Month"),
        ),
        "outcomes": bar_chart(
            data_from(figures["outcomes"], "label", "count"),
            chart_id="chart-outcomes",
            title=_("Outcomes"),
            description=_("Horizontal bars: the referrals of the period by outcome so far."),
            label_heading=_("Outcome"),
        ),
        "actions": bar_chart(
            data_from(figures["actions"], "label", "count"),
            chart_id="chart-actions",
            title=_("Decisions by action"),
            description=_("Horizontal bars: decisions on the referrals of the period by the action taken."),
            label_heading=_("Action"),
            value_heading=_("Decisions"),
        ),
        "median": bar_chart(
            [Datum(row["label"], row["median_minutes"]) for row in figures["time_to_decision"]],
            chart_id="chart-median",
            title=_("Median time to decision (minutes)"),
            description=_(
                "Horizontal bars: the median minutes from receipt to decision for each kind, "
                "paused time excluded; kinds with fewer than 5 decisions are not shown."
            ),
            label_heading=_("Kind"),
            value_heading=_("Median minutes"),
        ),
        "sla": bar_chart(
            [Datum(row["name"], row["compliance"]) for row in figures["sla_by_queue"]],
            chart_id="chart-sla",
            title=_("Decided within the queue's deadline"),
            description=_(
                "Horizontal bars: for each enforcement queue, the share of decided referrals "
                "decided by their deadline; queues with fewer than 5 are not shown."
            ),
            label_heading=_("Queue"),
            value_heading=_("Share on time"),
            unit="%",
        ),
    }
    appeals = figures["appeals"]
    return {
        "figures": figures,
        "charts": charts,
        "appeals": {
            "received": show(appeals["received"]),
            "decided": show(appeals["decided"]),
            "reversed": show(appeals["reversed"]),
            "reinstated": show(appeals["reinstated"]),
            "median_days": show(appeals["median_days_to_decide"]),
            "by_source": [
                {
                    "label": row["label"],
                    "received": show(row["received"]),
                    "decided": show(row["decided"]),
                    "reversed": show(row["reversed"]),
                }
                for row in appeals["by_source"]
            ],
        },
        "totals": [
            (_("Referrals received"), show(figures["received"])),
            (_("Decided"), show(figures["decided"])),
            (_("Accounts suspended"), show(figures["accounts_suspended"])),
            (_("Content removed"), show(figures["content_removed"])),
            (_("Removal orders decided within 60 minutes"), show(removal["share"], "%")),
            (_("Appeals and complaints received"), show(appeals["received"])),
        ],
        "accounts_suspended": show(figures["accounts_suspended"]),
        "content_removed": show(figures["content_removed"]),
        "time_rows": [
            {
                "label": row["label"],
                "decided": show(row["decided"]),
                "median": show(row["median_minutes"]),
                "p90": show(row["p90_minutes"]),
            }
            for row in figures["time_to_decision"]
        ],
        "removal": {
            "counted": show(removal["counted"]),
            "within": show(removal["within"]),
            "share": show(removal["share"], "%"),
        },
        "sla_rows": [
            {
                "name": row["name"],
                "deadline": deadline(row["sla_minutes"]),
                "decided": show(row["decided"]),
                "decided_by_due": show(row["decided_by_due"]),
                "compliance": show(row["compliance"], "%"),
                "breached": show(row["breached"]),
            }
            for row in figures["sla_by_queue"]
        ],
    }
