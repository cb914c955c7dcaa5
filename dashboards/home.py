"""What each role sees on the home page (SPEC §8).

Each app may offer `<app>/dashboard.py` with `home_sections(user) -> list[tuple[str, dict]]`:
a template to include and its context. The home page shows them in app order, framed by
the portal's own sections:

- partners (NGO members and admins, liaisons): their organisation's acceptance rate
  (actioned ÷ decided), and for liaisons the agency's share of removal orders decided
  within 60 minutes;
- reviewers and queue leads: their queues with open, waiting, breached and at-risk counts,
  unless the referrals app already offers a section for them;
- policy staff: the transparency figures of the current quarter, unsuppressed and linked to
  the referral lists behind them, and every partner's acceptance rate and volume, paginated.

Every number links to the list it counts, where such a list exists. A section that lists
referrals names them under `referrals`, so the page can audit the law-enforcement requests it
shows (SPEC §5; `referrals_shown`).
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count
from django.urls import reverse

from dashboards.transparency import quarter_of, transparency_figures
from dashboards.transparency.periods import today_utc
from partners.models import OrganisationKind, Role
from partners.selectors import applications_visible_to, members_of, organisations_visible_to, pending_invitations
from portal.accounts.roles import is_liaison, is_policy_staff, membership_of, role_of
from referrals.law_enforcement.selectors import DECIDED, removal_order_compliance
from referrals.models import Referral, Status

SECTION_MODULES = ["dashboards.sections.referrals", "dashboards.sections.campaigns", "dashboards.sections.training"]
PARTNER_ROLES = (Role.NGO_MEMBER, Role.NGO_ADMIN, Role.LE_LIAISON)
QUEUE_ROLES = (Role.REVIEWER, Role.QUEUE_LEAD)
PARTNERS_PER_PAGE = 25


def _app_sections(user) -> list[tuple[str, dict]]:
    sections = []
    for name in SECTION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        sections.extend(module.home_sections(user))
    return sections


def context_for(user, params=None) -> dict:
    """The home page of `user`; `params` are the query parameters (the partner table's page)."""
    params = params or {}
    membership = membership_of(user)
    app_sections = _app_sections(user)
    before, after = [], []
    role = role_of(user)
    if role in PARTNER_ROLES:
        after.append(("portal/home_acceptance.html", acceptance_section(user)))
    if role in QUEUE_ROLES and not any(template.startswith("referrals/") for template, _ in app_sections):
        before.append(("portal/home_queues.html", queue_section(user)))
    context: dict = {"membership": membership, "sections": before + app_sections + after}
    if is_policy_staff(user):
        context["policy_figures"] = policy_figures_section(user)
        context["partner_rates"] = partner_rates_section(user, params.get("page"))
    if membership is not None:
        organisation = membership.organisation
        context["members"] = members_of(organisation)[:20]
        context["member_count"] = organisation.memberships.count()
    if is_policy_staff(user):
        context["pending_applications"] = applications_visible_to(user).filter(status="pending")[:10]
        context["pending_invitations"] = pending_invitations()[:10]
    return context


def referrals_shown(context: dict) -> list:
    """Every referral the sections of a home page list."""
    return [referral for _, section in context["sections"] for referral in section.get("referrals", ())]


def _list_url(**filters) -> str:
    query = urlencode({k: v for k, v in filters.items() if v})
    return f"{reverse('referral-list')}?{query}" if query else reverse("referral-list")


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Partners: their own acceptance rate -------------------------------------------------------------


def acceptance_section(user) -> dict:
    """The user's organisation's acceptance rate over all its decided referrals, and for a
    liaison the agency's removal-order compliance. Scoped through referrals_visible_to."""
    from referrals.selectors import referrals_visible_to

    visible = referrals_visible_to(user).order_by()
    rows = visible.filter(status__in=DECIDED).values("status").annotate(n=Count("seq"))
    counts = dict.fromkeys(DECIDED, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    decided = sum(counts.values())
    section = {
        "rate": _rate(counts[Status.ACTIONED], decided),
        "decided": decided,
        "outcomes": [
            {"label": Status(s).label, "count": counts[s], "url": _list_url(status=s)}
            for s in (Status.ACTIONED, Status.NO_VIOLATION, Status.REJECTED)
        ],
        "removal": None,
    }
    if is_liaison(user):
        removal = removal_order_compliance(visible)
        section["removal"] = {**removal, "url": _list_url(kind="removal_order")}
    return section


# --- Reviewers and queue leads: their queues ---------------------------------------------------------


def queue_section(user) -> dict:
    from referrals.review.selectors import assigned_to, queue_summaries

    summaries = queue_summaries(user)
    if role_of(user) == Role.REVIEWER:
        summaries = [s for s in summaries if s.is_member]
    return {
        "queues": [
            {
                "name": s.name,
                "url": f"/queues/{s.slug}/",
                "open": s.open_count,
                "waiting": s.waiting_count,
                "breached": s.breached_count,
                "at_risk": s.at_risk_count,
            }
            for s in summaries
        ],
        "assigned": assigned_to(user).count(),
        "assigned_url": "/queues/",
    }


# --- Policy staff: the figures and the partners -------------------------------------------------------


def policy_figures_section(user, today: date | None = None) -> dict:
    """The current quarter's transparency figures, unsuppressed (policy staff read all
    figures and can open every referral behind them)."""
    period = quarter_of(today or today_utc())
    figures = transparency_figures(period.start, period.end, suppress=False)
    # The period's end is its last day; the list's `received_before` excludes the day it names.
    window = {
        "received_after": period.start.isoformat(),
        "received_before": (period.end + timedelta(days=1)).isoformat(),
    }
    return {
        "period": period,
        "report_url": f"{reverse('transparency')}?{urlencode(period.params())}",
        "received": {"count": figures["received"], "url": _list_url(**window)},
        "by_kind": [{**row, "url": _list_url(kind=row["kind"], **window)} for row in figures["by_kind"]],
        "outcomes": [
            {**row, "url": _list_url(status=row["outcome"], **window)}
            for row in figures["outcomes"]
            if row["outcome"] != "open"
        ],
        "accounts_suspended": figures["accounts_suspended"],
        "content_removed": figures["content_removed"],
        "removal": {
            **figures["removal_orders_within_60_minutes"],
            "url": _list_url(kind="removal_order", **window),
        },
        "time_to_decision": figures["time_to_decision"],
        "sla_by_queue": [{**row, "url": f"/queues/{row['queue']}/"} for row in figures["sla_by_queue"]],
        # Appeals and complaints filed in the quarter (SPEC §16), with the lists behind them.
        "appeals": {
            **figures["appeals"],
            "url": reverse("appeal-list"),
            "decided_url": f"{reverse('appeal-list')}?status=decided",
        },
    }


def partner_rates(user):
    """Partner organisations (NGOs and agencies) `user` may see, by name."""
    return (
        organisations_visible_to(user)
        .filter(kind__in=(OrganisationKind.NGO, OrganisationKind.LAW_ENFORCEMENT))
        .order_by("name", "pk")
    )


def partner_rates_section(user, page_number=None) -> dict:
    """One page of partners with their referral volume and acceptance rate: three queries
    (count, page, one GROUP BY over the page's organisations) whatever the page size."""
    page = Paginator(partner_rates(user), PARTNERS_PER_PAGE).get_page(page_number)
    organisations = list(page.object_list)
    counts: dict[int, dict[str, int]] = {o.pk: {} for o in organisations}
    rows = (
        Referral.objects.filter(organisation__in=organisations)
        .order_by()
        .values("organisation_id", "status")
        .annotate(n=Count("seq"))
    )
    for row in rows:
        counts[row["organisation_id"]][row["status"]] = row["n"]
    partners = []
    for organisation in organisations:
        by_status = counts[organisation.pk]
        decided = sum(by_status.get(s, 0) for s in DECIDED)
        actioned = by_status.get(Status.ACTIONED, 0)
        partners.append(
            {
                "organisation": organisation,
                "received": sum(by_status.values()),
                "decided": decided,
                "actioned": actioned,
                "rate": _rate(actioned, decided),
            }
        )
    return {"page": page, "partners": partners, "query": ""}
