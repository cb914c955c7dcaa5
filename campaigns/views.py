"""Campaign pages. Each view fetches through a selector, checks a named predicate, calls one service."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from campaigns import charts, selectors, services
from campaigns.forms import (
    CampaignForm,
    CommentForm,
    ContentItemForm,
    MetricCsvForm,
    MetricReportForm,
    PartnerInviteForm,
    PublishForm,
)
from campaigns.models import CampaignStatus, ContentStatus
from campaigns.permissions import (
    can_manage_campaigns,
    can_report_metrics,
    can_review_content,
    can_see_context,
    can_withdraw_content,
    can_write_content,
    is_author_side,
    partnership_of,
)
from portal.actions import act, show_on_form
from portal.calendar import WEEKDAYS, calendar_weeks, grid_span, month_after, month_before, month_end, parse_month
from portal.errors import DomainError


def _campaign_for(request, slug: str):
    return get_object_or_404(selectors.campaigns_visible_to(request.user), slug=slug)


def _page(campaign) -> str:
    return reverse("campaign-detail", kwargs={"slug": campaign.slug})


def _item_page(campaign, item) -> str:
    return reverse("content-detail", kwargs={"slug": campaign.slug, "item_id": item.pk})


# --- Campaigns ----------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    campaigns = selectors.campaigns_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    else:
        status = ""
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": f"status={status}" if status else "",
        "status": status,
        "statuses": CampaignStatus.choices,
        "invitations": selectors.campaign_invitations_for(request.user),
        "can_manage": can_manage_campaigns(request.user),
    }
    return render(request, "campaigns/campaign_list.html", context)


@login_required
def campaign_new(request):
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: services.campaign_create(by=request.user, request=request, **form.cleaned_data),
            success=lambda campaign: (
                _("Campaign “%(title)s” created as a draft. Invite its partners next.") % {"title": campaign.title}
            ),
            redirect_to=_page,
            form=form,
        )
        if done:
            return done
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_edit(request, slug: str):
    campaign = _campaign_for(request, slug)
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    initial = {name: getattr(campaign, name) for name in services.EDITABLE_FIELDS}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: services.campaign_update(by=request.user, campaign=campaign, request=request, **form.cleaned_data),
            success=_("Campaign saved."),
            redirect_to=_page(campaign),
            form=form,
        )
        if done:
            return done
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def _invitation_page(request, slug: str):
    """What an invited (not yet accepted) organisation sees: the invitation and nothing else."""
    partner = get_object_or_404(selectors.campaign_invitations_for(request.user), campaign__slug=slug)
    return render(request, "campaigns/invitation.html", {"partner": partner, "campaign": partner.campaign})


def _metrics_context(user, campaign) -> dict:
    reports = selectors.metric_reports_visible_to(user, campaign=campaign)
    series = selectors.metric_series(reports)
    return {
        "totals": selectors.metric_totals(reports),
        "series": series,
        "charts": charts.metric_charts(series),
    }


@login_required
def campaign_detail(request, slug: str):
    campaign = selectors.campaigns_visible_to(request.user).filter(slug=slug).first()
    if campaign is None:
        return _invitation_page(request, slug)
    user = request.user
    manager = can_manage_campaigns(user)
    items = selectors.content_items_visible_to(user, campaign=campaign)
    content_status = request.GET.get("content_status", "")
    if content_status in ContentStatus.values:
        items = items.filter(status=content_status)
    context = {
        "campaign": campaign,
        "partners": list(campaign.partners.all()),
        "theme_labels": selectors.theme_labels(campaign),
        "partnership": partnership_of(user, campaign),
        "can_manage": manager,
        "can_write": can_write_content(user, campaign) and not campaign.is_closed,
        "can_report": can_report_metrics(user, campaign) and campaign.status != CampaignStatus.ARCHIVED,
        "next_statuses": [
            (s, CampaignStatus(s).label)
            for s in CampaignStatus.values
            if s in services.CAMPAIGN_TRANSITIONS[campaign.status]
        ],
        "invite_form": PartnerInviteForm() if manager and not campaign.is_closed else None,
        "content_page": Paginator(items, 25).get_page(request.GET.get("page")),
        "content_status": content_status,
        "content_query": f"content_status={content_status}" if content_status else "",
        "content_statuses": ContentStatus.choices,
        "metric_form": MetricReportForm(items=items.exclude(status=ContentStatus.DRAFT)),
        "csv_form": MetricCsvForm(),
        **_metrics_context(user, campaign),
    }
    if can_see_context(user, campaign):
        context["referral_context"] = selectors.referral_context(campaign)
    return render(request, "campaigns/campaign_detail.html", context)


@login_required
@require_POST
def campaign_status(request, slug: str):
    campaign = _campaign_for(request, slug)
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    return act(
        request,
        lambda: services.campaign_change_status(
            by=request.user, campaign=campaign, status=request.POST.get("status", ""), request=request
        ),
        success=lambda changed: _("The campaign is now %(status)s.") % {"status": changed.get_status_display().lower()},
        redirect_to=_page(campaign),
    )


# --- Partners -----------------------------------------------------------------------------------


@login_required
@require_POST
def partner_invite(request, slug: str):
    campaign = _campaign_for(request, slug)
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    form = PartnerInviteForm(request.POST)
    partners = _page(campaign) + "#partners"
    if not form.is_valid():
        messages.error(request, _("Choose an NGO and a role to invite."))
        return redirect(partners)
    return act(
        request,
        lambda: services.partner_invite(by=request.user, campaign=campaign, request=request, **form.cleaned_data),
        success=lambda partner: (
            _("%(organisation)s invited as %(role)s.")
            % {"organisation": partner.organisation.name, "role": partner.get_role_display().lower()}
        ),
        redirect_to=partners,
    )


@login_required
@require_POST
def partner_answer(request, slug: str, org_slug: str, answer: str):
    partner = get_object_or_404(
        selectors.partnerships_answerable_by(request.user), campaign__slug=slug, organisation__slug=org_slug
    )
    if answer not in ("accept", "decline"):
        raise Http404
    if answer == "accept":
        return act(
            request,
            lambda: services.partner_accept(by=request.user, partner=partner, request=request),
            success=lambda joined: (
                _("%(organisation)s joined “%(campaign)s”.")
                % {"organisation": joined.organisation.name, "campaign": joined.campaign.title}
            ),
            redirect_to=reverse("campaign-detail", kwargs={"slug": slug}),
            failure_redirect_to="campaign-list",
        )
    return act(
        request,
        lambda: services.partner_decline(by=request.user, partner=partner, request=request),
        success=lambda declined: (
            messages.INFO,
            _("You declined the invitation to “%(campaign)s”.") % {"campaign": declined.campaign.title},
        ),
        redirect_to="campaign-list",
    )


# --- Content ------------------------------------------------------------------------------------


@login_required
def content_new(request, slug: str):
    campaign = _campaign_for(request, slug)
    if not can_write_content(request.user, campaign):
        raise PermissionDenied
    form = ContentItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.content_item_create(
                by=request.user, campaign=campaign, request=request, **form.cleaned_data
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            if "submit" in request.POST:
                services.content_item_submit(by=request.user, item=item, request=request)
                messages.success(request, _("“%(title)s” submitted for review.") % {"title": item.title})
            else:
                messages.success(request, _("Draft “%(title)s” saved.") % {"title": item.title})
            return redirect("content-detail", slug=campaign.slug, item_id=item.pk)
    return render(request, "campaigns/content_form.html", {"campaign": campaign, "form": form, "item": None})


def _item_for(request, slug: str, item_id):
    campaign = _campaign_for(request, slug)
    item = get_object_or_404(selectors.content_items_visible_to(request.user, campaign=campaign), pk=item_id)
    return campaign, item


@login_required
def content_detail(request, slug: str, item_id):
    campaign, item = _item_for(request, slug, item_id)
    user = request.user
    author_side = is_author_side(user, item)
    editable = author_side and item.status in (ContentStatus.DRAFT, ContentStatus.CHANGES_REQUESTED)
    initial = {name: getattr(item, name) for name in services.CONTENT_FIELDS}
    form = ContentItemForm(request.POST or None, initial=initial) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            done = act(
                request,
                lambda: services.content_item_update(by=user, item=item, request=request, **form.cleaned_data),
                success=_("Changes saved."),
                redirect_to=_item_page(campaign, item),
                form=form,
            )
            if done:
                return done
    context = {
        "campaign": campaign,
        "item": item,
        "history": selectors.content_item_history(item),
        "form": form,
        "can_submit": editable,
        "can_review": can_review_content(user, item) and item.status == ContentStatus.IN_REVIEW,
        "can_publish": author_side and item.status == ContentStatus.APPROVED,
        "can_withdraw": can_withdraw_content(user, item)
        and item.status not in (ContentStatus.PUBLISHED, ContentStatus.WITHDRAWN),
        "comment_form": CommentForm(),
        "publish_form": PublishForm(),
    }
    return render(request, "campaigns/content_detail.html", context)


CONTENT_ACTIONS = {
    "submit": ("content_item_submit", gettext_lazy("“%(title)s” submitted for review.")),
    "approve": ("content_item_approve", gettext_lazy("“%(title)s” approved.")),
    "request-changes": ("content_item_request_changes", gettext_lazy("“%(title)s” sent back with your comment.")),
    "publish": ("content_item_publish", gettext_lazy("“%(title)s” marked published.")),
    "withdraw": ("content_item_withdraw", gettext_lazy("“%(title)s” withdrawn.")),
}


@login_required
@require_POST
def content_action(request, slug: str, item_id, action: str):
    campaign, item = _item_for(request, slug, item_id)
    if action not in CONTENT_ACTIONS:
        raise Http404
    service_name, done = CONTENT_ACTIONS[action]
    kwargs = {}
    if action == "publish":
        kwargs["published_url"] = request.POST.get("published_url", "")
    else:
        form = CommentForm(request.POST)
        kwargs["comment"] = form.cleaned_data["comment"] if form.is_valid() else ""
    return act(
        request,
        lambda: getattr(services, service_name)(by=request.user, item=item, request=request, **kwargs),
        success=str(done) % {"title": item.title},
        redirect_to=_item_page(campaign, item),
        deny_with_403=True,
    )


# --- Metrics ------------------------------------------------------------------------------------


@login_required
def metrics(request, slug: str):
    """The reports list and both entry forms; failed entries come back here with their errors."""
    campaign = _campaign_for(request, slug)
    user = request.user
    items = selectors.content_items_visible_to(user, campaign=campaign).exclude(status=ContentStatus.DRAFT)
    form = MetricReportForm(request.POST or None, items=items)
    if request.method == "POST":
        if not can_report_metrics(user, campaign):
            raise PermissionDenied
        if form.is_valid():
            done = act(
                request,
                lambda: services.metric_report_create(by=user, campaign=campaign, request=request, **form.cleaned_data),
                success=_("Metrics added."),
                redirect_to=_page(campaign) + "#metrics",
                form=form,
            )
            if done:
                return done
    return _metrics_page(request, campaign, form=form, csv_form=MetricCsvForm(), items=items)


def _metrics_page(request, campaign, *, form, csv_form, items, row_errors=(), status=200):
    reports = selectors.metric_reports_visible_to(request.user, campaign=campaign)
    context = {
        "campaign": campaign,
        "form": form,
        "csv_form": csv_form,
        "row_errors": row_errors,
        "page": Paginator(reports.order_by("-period_start", "-id"), 50).get_page(request.GET.get("page")),
        "can_report": can_report_metrics(request.user, campaign) and campaign.status != CampaignStatus.ARCHIVED,
        **_metrics_context(request.user, campaign),
    }
    return render(request, "campaigns/metrics.html", context, status=status)


@login_required
@require_POST
def metrics_upload(request, slug: str):
    campaign = _campaign_for(request, slug)
    user = request.user
    if not can_report_metrics(user, campaign):
        raise PermissionDenied
    items = selectors.content_items_visible_to(user, campaign=campaign).exclude(status=ContentStatus.DRAFT)
    csv_form = MetricCsvForm(request.POST, request.FILES)
    row_errors = []
    if csv_form.is_valid():
        try:
            reports = services.metric_reports_import_csv(
                by=user, campaign=campaign, raw=csv_form.cleaned_data["file"].read(), request=request
            )
        except services.MetricImportError as exc:
            csv_form.add_error("file", exc.message)
            row_errors = exc.rows
        except DomainError as exc:
            csv_form.add_error(None, exc.message)
        else:
            count = len(reports)
            messages.success(
                request,
                ngettext("%(count)d metric report imported.", "%(count)d metric reports imported.", count)
                % {"count": count},
            )
            return redirect(reverse("campaign-detail", args=[campaign.slug]) + "#metrics")
    return _metrics_page(
        request,
        campaign,
        form=MetricReportForm(items=items),
        csv_form=csv_form,
        items=items,
        row_errors=row_errors,
        status=400,
    )


# --- Calendar -----------------------------------------------------------------------------------


def _parse_week(value: str, today: dt.date) -> dt.date:
    """`2026-W10` → the Monday of that ISO week; anything else → this week's Monday."""
    try:
        year, week = value.upper().split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError, AttributeError):
        return today - dt.timedelta(days=today.weekday())


def _iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@login_required
def calendar(request):
    user = request.user
    today = timezone.localdate()
    view = "week" if request.GET.get("view") == "week" else "month"
    filters = {name: request.GET.get(name, "").strip()[:80] for name in ("campaign", "channel", "language")}
    if view == "week":
        start = _parse_week(request.GET.get("week", ""), today)
        end = start + dt.timedelta(days=6)
        previous = {"view": "week", "week": _iso_week(start - dt.timedelta(days=7))}
        following = {"view": "week", "week": _iso_week(start + dt.timedelta(days=7))}
        heading = _("Week of %(date)s") % {"date": dateformat.format(start, "j F Y")}
    else:
        start = parse_month(request.GET.get("month", "")) or today.replace(day=1)
        end = month_end(start)
        previous = {"month": f"{month_before(start):%Y-%m}"}
        following = {"month": f"{month_after(start):%Y-%m}"}
        heading = dateformat.format(start, "F Y")
    grid_start, grid_end = grid_span(start, end)
    items = selectors.calendar_items(user, start=grid_start, end=grid_end, **filters)
    weeks = calendar_weeks(start, end, today=today, items=items, day_of=lambda item: item.calendar_date)
    days = [day for week in weeks for day in week]
    active_filters = {k: v for k, v in filters.items() if v}
    context = {
        "view": view,
        "heading": heading,
        "days": days,
        "weekdays": WEEKDAYS,
        "filters": filters,
        "choices": selectors.calendar_filter_choices(user),
        "previous_query": urlencode({**previous, **active_filters}),
        "next_query": urlencode({**following, **active_filters}),
        "month_query": urlencode({"month": f"{start:%Y-%m}", **active_filters}),
        "week_query": urlencode({"view": "week", "week": _iso_week(start), **active_filters}),
        "item_count": sum(len(d.items) for d in days if d.in_range),
        "period_value": _iso_week(start) if view == "week" else f"{start:%Y-%m}",
    }
    return render(request, "campaigns/calendar.html", context)
