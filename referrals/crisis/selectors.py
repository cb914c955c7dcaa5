"""Reads of crisis mode (SPEC §18), scoped to the person asking."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import csv
from referrals.crisis.permissions import can_see_incidents_in_full, is_verified_partner
from referrals.engine.clock import median
from referrals.models import Bulletin, Incident, IncidentStatus, Referral, Status
from referrals.review.insights import Median
from referrals.review.selectors import EpochSeconds


def incidents_visible_to(user) -> QuerySet[Incident]:
    """Platform roles: every incident. Members of verified partner organisations: the active
    ones (whose public fields only they are shown). Anyone else: none."""
    if can_see_incidents_in_full(user):
        return Incident.objects.select_related("queue")
    if is_verified_partner(user):
        return Incident.objects.filter(status=IncidentStatus.ACTIVE)
    return Incident.objects.none()


def active_incidents() -> QuerySet[Incident]:
    """The incidents routing checks referrals against, gravest first."""
    return (
        Incident.objects.filter(status=IncidentStatus.ACTIVE).select_related("queue").order_by("level", "declared_at")
    )


BANNER_SHOWN = 3
HEADLINE_MAX = 200


def incident_banner_for(user) -> list[Incident]:
    """The active incidents a member of a verified partner organisation is shown on every page,
    gravest first, each with `headline`: the first line of its latest bulletin ("" before the
    first). One query; for anyone else (platform roles included: they have the incidents'
    own pages and queue) none at all, and an empty list."""
    if not is_verified_partner(user):
        return []
    latest = Bulletin.objects.filter(incident_id=OuterRef("pk")).order_by("-posted_at", "-pk").values("body")[:1]
    shown = list(
        Incident.objects.filter(status=IncidentStatus.ACTIVE)
        .annotate(latest_bulletin=Subquery(latest))
        .only("slug", "title", "level", "declared_at")
        .order_by("level", "declared_at", "pk")[:BANNER_SHOWN]
    )
    for incident in shown:
        lines = (incident.latest_bulletin or "").strip().splitlines()
        headline = lines[0].strip() if lines else ""
        incident.headline = headline if len(headline) <= HEADLINE_MAX else headline[: HEADLINE_MAX - 1] + "…"
    return shown


def incidents_listed(user) -> QuerySet[Incident]:
    """`incidents_visible_to(user)` for lists and pages: bulletins read with them (newest first,
    the model's order), active ones first, then the newest."""
    return (
        incidents_visible_to(user)
        .prefetch_related(Prefetch("bulletins", queryset=Bulletin.objects.order_by("-posted_at", "-pk")))
        .order_by("status", "-declared_at", "pk")
    )


# --- Counts: what the live page shows and polls ---------------------------------------------------


def _no_counts() -> dict:
    return {"referrals": 0, "decided": 0, "actioned": 0, "median_minutes_to_decision": None}


def _minutes(received_at, decided_at) -> float:
    return (decided_at - received_at).total_seconds() / 60


def incidents_counts(incidents: Iterable[Incident]) -> dict[int, dict]:
    """`incident_counts` of each of `incidents` by primary key, in a fixed number of queries:
    one on PostgreSQL (its median is an aggregate), two elsewhere (the decided ones' times)."""
    ids = [i.pk for i in incidents]
    found = {pk: _no_counts() for pk in ids}
    if not ids:
        return found
    referrals = Referral.objects.filter(incident_id__in=ids).order_by().values("incident_id")
    figures = {
        "referrals": Count("seq"),
        "decided": Count("seq", filter=Q(decided_at__isnull=False)),
        "actioned": Count("seq", filter=Q(status=Status.ACTIONED)),
    }
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # percentile_cont skips nulls: the undecided have no time to decision.
        figures["median"] = Median((EpochSeconds("decided_at") - EpochSeconds("received_at")) / 60.0)
    for row in referrals.annotate(**figures):
        counts = found[row["incident_id"]]
        counts.update(referrals=row["referrals"], decided=row["decided"], actioned=row["actioned"])
        if postgresql and row["median"] is not None:
            counts["median_minutes_to_decision"] = round(row["median"], 1)
    if not postgresql:
        times: dict[int, list[float]] = defaultdict(list)
        decided = Referral.objects.filter(incident_id__in=ids, decided_at__isnull=False).order_by()
        for pk, received_at, decided_at in decided.values_list("incident_id", "received_at", "decided_at"):
            times[pk].append(_minutes(received_at, decided_at))
        for pk, values in times.items():
            found[pk]["median_minutes_to_decision"] = round(median(values), 1)
    return found


def incident_counts(incident: Incident) -> dict:
    """`{referrals, decided, actioned, median_minutes_to_decision}` of the referrals routing
    matched to `incident` (`Referral.incident`): decided ones have `decided_at`, actioned ones
    the status `actioned`; the median of `decided_at − received_at` in minutes, to one
    decimal, None before the first decision."""
    return incidents_counts([incident])[incident.pk]


def incident_referrals_newest(user, incident: Incident, *, limit: int = 20) -> QuerySet[Referral]:
    """The incident's newest referrals for its live page: platform roles only (the referrals
    of every organisation); nobody else reads them here."""
    if not can_see_incidents_in_full(user):
        return Referral.objects.none()
    return Referral.objects.filter(incident=incident).select_related("queue").order_by("-received_at", "-seq")[:limit]


# --- The after-action report -----------------------------------------------------------------------

# The events of a report's timeline (the API's `event`).
TIMELINE_EVENTS = ("declared", "bulletin", "first_referral", "first_decision", "closed")
REPORT_CSV_HEADER = ["section", "at", "received", "decided", "actioned", "median_minutes_to_decision", "event", "what"]


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _by_hour(incident: Incident, until: datetime) -> list[dict]:
    """Received, decided and actioned per hour (UTC), in two grouped queries: every hour from
    the declaration's to `until`'s, widened to any hour with figures outside it (a referral
    routed to the incident before it was declared, by hand), so the hours add up to the totals."""
    referrals = Referral.objects.filter(incident=incident).order_by()
    received = dict(
        referrals.annotate(hour=TruncHour("received_at", tzinfo=UTC))
        .values("hour")
        .annotate(n=Count("seq"))
        .values_list("hour", "n")
    )
    decided = {
        row["hour"]: row
        for row in referrals.filter(decided_at__isnull=False)
        .annotate(hour=TruncHour("decided_at", tzinfo=UTC))
        .values("hour")
        .annotate(decided=Count("seq"), actioned=Count("seq", filter=Q(status=Status.ACTIONED)))
    }
    hours = [_hour(h) for h in (*received, *decided)]
    first = min([_hour(incident.declared_at), *hours])
    last = max([_hour(until), *hours])
    received = {_hour(h): n for h, n in received.items()}
    decided = {_hour(h): row for h, row in decided.items()}
    rows = []
    at = first
    while at <= last:
        row = decided.get(at, {})
        rows.append(
            {
                "hour": at,
                "received": received.get(at, 0),
                "decided": row.get("decided", 0),
                "actioned": row.get("actioned", 0),
            }
        )
        at += timedelta(hours=1)
    return rows


def _timeline(incident: Incident) -> list[dict]:
    firsts = Referral.objects.filter(incident=incident).aggregate(
        first_referral=Min("received_at"), first_decision=Min("decided_at")
    )
    entries = [
        {
            "at": incident.declared_at,
            "event": "declared",
            "what": _("Declared at level %(level)d.") % {"level": incident.level},
        }
    ]
    for bulletin in sorted(incident.bulletins.all(), key=lambda b: (b.posted_at, b.pk)):
        entries.append(
            {
                "at": bulletin.posted_at,
                "event": "bulletin",
                "what": ngettext(
                    "Bulletin sent to %(count)d partner member.",
                    "Bulletin sent to %(count)d partner members.",
                    bulletin.recipients,
                )
                % {"count": bulletin.recipients},
            }
        )
    if firsts["first_referral"]:
        entries.append(
            {
                "at": firsts["first_referral"],
                "event": "first_referral",
                "what": _("First referral routed to the incident."),
            }
        )
    if firsts["first_decision"]:
        entries.append(
            {
                "at": firsts["first_decision"],
                "event": "first_decision",
                "what": _("First decision on one of its referrals."),
            }
        )
    if incident.closed_at:
        entries.append(
            {
                "at": incident.closed_at,
                "event": "closed",
                "what": _("Closed; routing stopped matching referrals to it."),
            }
        )
    order = {event: n for n, event in enumerate(TIMELINE_EVENTS)}
    return sorted(entries, key=lambda e: (e["at"], order[e["event"]]))


def incident_report(incident: Incident, *, now: datetime | None = None) -> dict:
    """The after-action report of `incident` (so far, while it is active): its counts; the
    referrals received, decided and actioned in each hour (UTC) from the declaration's hour to
    the close's (or now's); and the timeline (declared, each bulletin, the first referral, the
    first decision, closed), oldest first. For platform roles: the caller checks."""
    until = incident.closed_at or now or timezone.now()
    return {
        "slug": incident.slug,
        "title": incident.title,
        "level": incident.level,
        "declared_at": incident.declared_at,
        "closed_at": incident.closed_at,
        "until": until,
        "counts": incident_counts(incident),
        "by_hour": _by_hour(incident, until),
        "timeline": _timeline(incident),
    }


def incident_report_rows(report: dict) -> list[list]:
    """The report as the rows of one CSV with a `section` column (REPORT_CSV_HEADER first):
    a `total` row (the counts), an `hour` row per hour, then a `timeline` row per event; the
    columns a section does not have are empty."""
    counts = report["counts"]
    rows = [
        REPORT_CSV_HEADER,
        [
            "total",
            report["declared_at"],
            counts["referrals"],
            counts["decided"],
            counts["actioned"],
            counts["median_minutes_to_decision"],
            None,
            None,
        ],
    ]
    rows += [
        ["hour", h["hour"], h["received"], h["decided"], h["actioned"], None, None, None] for h in report["by_hour"]
    ]
    rows += [["timeline", e["at"], None, None, None, None, e["event"], e["what"]] for e in report["timeline"]]
    return rows


def incident_report_csv(report: dict) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(incident_report_rows(report))
    return buffer.getvalue()
