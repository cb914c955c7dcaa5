"""Appeals and complaints in figures (SPEC §16 "Transparency"; DSA Art. 15(1)(d), TCO Art. 7(2)(d)),
for the public transparency report and the policy staff's home page.

Population: the appeals (by notifiers) and complaints (by account holders) *filed* in the
period, from `start` 00:00 UTC to the end of `end` (UTC dates, both inclusive), as the report
counts the referrals received in it: the figures of a closed period settle as its appeals are
decided, and an appeal is counted in the period it was filed in, whatever the referral's.

- **received**: appeals and complaints filed, both sources together and per source;
- **decided**: of those, the ones decided (upheld or reversed);
- **reversed**: of those, the ones decided `reversed`;
- **reinstated**: reversals of a decision that restricted an account or content (suspension,
  removal, restriction, label; `STATEMENT_ACTIONS`): the account or the content was
  reinstated. A reversed decision that restricted nothing (no action, unable to comply) goes
  back for a fresh decision and reinstates nothing. Restrictions that end on their date
  (referrals.redress.expiry) are not reinstatements;
- **median days to decide**: days from filing to decision over the decided ones, to 0.1 day,
  interpolated between the closest two (`referrals.engine.clock.percentile`, which is
  PostgreSQL's `percentile_cont`).

Two queries: one GROUP BY source, status, outcome and original action over the period's
appeals, and the median (in SQL on PostgreSQL; SQLite reads the decided rows' two times).
Counts are raw: the report suppresses small cells (dashboards.transparency.figures).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q, Value

from referrals.engine.clock import percentile
from referrals.law_enforcement.selectors import PercentileCont, SecondsBetween
from referrals.models import STATEMENT_ACTIONS, Appeal, AppealOutcome, AppealSource, AppealStatus

DAY_SECONDS = 86400.0


def _filed_in(start: date, end: date) -> Q:
    low = datetime.combine(start, time.min, tzinfo=UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return Q(filed_at__gte=low, filed_at__lt=high)


def appeal_figures(start: date, end: date) -> dict:
    """The raw figures of the appeals and complaints filed from `start` to `end` (see above)."""
    appeals = Appeal.objects.filter(_filed_in(start, end)).order_by()
    rows = appeals.values("source", "status", "outcome", "original_action").annotate(n=Count("pk"))
    by_source = {s: {"received": 0, "decided": 0, "reversed": 0} for s in AppealSource.values}
    reinstated = 0
    for row in rows:
        counts = by_source.setdefault(row["source"], {"received": 0, "decided": 0, "reversed": 0})
        counts["received"] += row["n"]
        if row["status"] == AppealStatus.DECIDED:
            counts["decided"] += row["n"]
        if row["outcome"] == AppealOutcome.REVERSED:
            counts["reversed"] += row["n"]
            if row["original_action"] in STATEMENT_ACTIONS:
                reinstated += row["n"]
    decided = appeals.filter(status=AppealStatus.DECIDED, decided_at__isnull=False)
    return {
        "received": sum(c["received"] for c in by_source.values()),
        "decided": sum(c["decided"] for c in by_source.values()),
        "reversed": sum(c["reversed"] for c in by_source.values()),
        "reinstated": reinstated,
        "median_days_to_decide": _median_days(decided),
        "by_source": [{"source": s.value, "label": s.label, **by_source[s.value]} for s in AppealSource],
    }


def _median_days(decided) -> float | None:
    if connection.vendor == "postgresql":
        days = SecondsBetween("decided_at", "filed_at") / Value(DAY_SECONDS)
        value = decided.aggregate(median=PercentileCont(days, 0.5))["median"]
    else:  # SQLite: no percentile aggregate; appeals are few next to referrals
        value = percentile(
            [
                max((decided_at - filed_at).total_seconds(), 0.0) / DAY_SECONDS
                for filed_at, decided_at in decided.values_list("filed_at", "decided_at").iterator()
            ],
            50,
        )
    return None if value is None else round(float(value), 1)
