import zoneinfo
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.actions import act
from portal.audit import audit
from portal.calendar import WEEKDAYS, calendar_weeks, grid_span, month_after, month_before, month_end, parse_month
from training import selectors, services
from training.forms import AttendanceForm, EventFilterForm, EventForm
from training.ical import event_ics, feed_ics
from training.models import Event
from training.permissions import (
    can_create_events,
    can_manage_event,
    can_name_organisers,
    can_see_online_url,
    in_audience,
)
from training.templatetags.training_tags import viewer_zone_name


def _month_bounds(first: date, zone_name: str) -> tuple[datetime, datetime]:
    zone = zoneinfo.ZoneInfo(zone_name)
    following = month_after(first)
    return (
        datetime(first.year, first.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


def _my_statuses(user, events) -> dict[int, str]:
    ids = [e.pk for e in events]
    return dict(
        selectors.registrations_visible_to(user).filter(user=user, event_id__in=ids).values_list("event_id", "status")
    )


@login_required
def event_list(request):
    user = request.user
    form = EventFilterForm(request.GET or None, topics=selectors.topics_in_use(user))
    filters: dict = {}
    month = None
    if form.is_valid():
        filters = {"format": form.cleaned_data["format"], "topic": form.cleaned_data["topic"]}
        month = parse_month(form.cleaned_data["month"])
        if month is not None:
            filters["after"], filters["before"] = _month_bounds(month, viewer_zone_name(user))
    events = selectors.events_filtered(user, **filters)
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "training/event_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "month": month,
            "statuses": _my_statuses(user, page.object_list),
            "can_create": can_create_events(user),
            "filtered": bool(query),
        },
    )


@login_required
def event_calendar(request):
    user = request.user
    zone_name = viewer_zone_name(user)
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone_name)).date()
    first = parse_month(request.GET.get("month")) or today.replace(day=1)
    last = month_end(first)
    zone = zoneinfo.ZoneInfo(zone_name)
    grid_first, grid_last = grid_span(first, last)
    grid_start = datetime.combine(grid_first, datetime.min.time(), tzinfo=zone)
    grid_end = datetime.combine(grid_last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    # A day either side: an event's day is taken in the viewer's zone (or the event's own).
    events = selectors.events_filtered(user, after=grid_start - timedelta(days=1), before=grid_end + timedelta(days=1))
    weeks = calendar_weeks(
        first,
        last,
        today=today,
        items=events,
        day_of=lambda event: event.starts_at.astimezone(zoneinfo.ZoneInfo(viewer_zone_name(user, event))).date(),
    )
    return render(
        request,
        "training/calendar.html",
        {
            "first": first,
            "weeks": weeks,
            "weekdays": WEEKDAYS,
            "month_events": [e for week in weeks for day in week if day.in_range for e in day.items],
            "previous_month": month_before(first),
            "next_month": month_after(first),
            "zone_name": zone_name,
            "profile_zone": bool(user.time_zone),
        },
    )


def _event_for(request, slug: str) -> Event:
    return get_object_or_404(selectors.events_visible_to(request.user), slug=slug)


@login_required
def event_detail(request, slug: str):
    user = request.user
    event = _event_for(request, slug)
    registration = selectors.registration_of(user, event)
    manage = can_manage_event(user, event)
    registrants = None
    if manage:
        registrants = list(selectors.event_registrants(event))
        audit("training.registrations.view", actor=user, obj=event, request=request, count=len(registrants))
    return render(
        request,
        "training/event_detail.html",
        {
            "event": event,
            "registration": registration if registration and registration.is_active else None,
            "waitlist_position": selectors.waitlist_position(registration) if registration else None,
            "show_online_url": can_see_online_url(user, event, registration),
            "can_manage": manage,
            "eligible": in_audience(user, event),
            "registration_open": event.registration_open(),
            "ended": event.has_ended(),
            "started": event.starts_at <= timezone.now(),
            "registrants": registrants,
            "attendance_statuses": AttendanceForm.base_fields["status"].choices,
            "zone_name": viewer_zone_name(user, event),
        },
    )


@login_required
def event_ics_download(request, slug: str):
    event = _event_for(request, slug)
    registration = selectors.registration_of(request.user, event)
    body = event_ics(event, show_online_url=can_see_online_url(request.user, event, registration))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@login_required
def event_new(request):
    if not can_create_events(request.user):
        raise PermissionDenied
    form = EventForm(request.POST or None, organiser=request.user, may_name_organisers=True)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: services.event_create(
                by=request.user,
                slug=form.cleaned_data.get("slug") or "",
                organisers=form.cleaned_data.get("organisers") or [],
                request=request,
                **form.service_fields(),
            ),
            success=lambda event: _("“%(title)s” is on the schedule.") % {"title": event.title},
            redirect_to=lambda event: event,
            form=form,
        )
        if done:
            return done
    return render(request, "training/event_form.html", {"form": form, "event": None})


@login_required
def event_edit(request, slug: str):
    event = _event_for(request, slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    may_name = can_name_organisers(request.user)
    form = EventForm(request.POST or None, event=event, may_name_organisers=may_name)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: services.event_update(
                by=request.user,
                event=event,
                organisers=form.cleaned_data.get("organisers") if may_name else None,
                request=request,
                **form.service_fields(),
            ),
            success=_("Event saved. Registrants are told of any change of time or place."),
            redirect_to=event,
            form=form,
        )
        if done:
            return done
    return render(request, "training/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_register(request, slug: str):
    event = _event_for(request, slug)
    return act(
        request,
        lambda: services.registration_register(user=request.user, event=event, request=request),
        success=_registered,
        redirect_to=event,
    )


def _registered(registration) -> tuple[int, str]:
    if registration.status == "confirmed":
        return messages.SUCCESS, _("You are registered. Add the event to your calendar below.")
    return messages.INFO, _("The event is full: you are on the waitlist and will be told if a seat frees up.")


@login_required
@require_POST
def registration_cancel(request, slug: str):
    event = _event_for(request, slug)
    return act(
        request,
        lambda: services.registration_cancel(user=request.user, event=event, request=request),
        success=(messages.INFO, _("Your registration is cancelled.")),
        redirect_to=event,
    )


@login_required
@require_POST
def event_cancel(request, slug: str):
    event = _event_for(request, slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    return act(
        request,
        lambda: services.event_cancel(by=request.user, event=event, request=request),
        success=(messages.INFO, _("The event is cancelled and its registrants have been told.")),
        redirect_to=event,
    )


@login_required
@require_POST
def attendance_mark(request, slug: str):
    event = _event_for(request, slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a person and an attendance mark."))
        return redirect("training-event", slug=event.slug)
    registration = get_object_or_404(
        selectors.registrations_visible_to(request.user).filter(event=event), pk=form.cleaned_data["registration"]
    )
    return act(
        request,
        lambda: services.registration_mark_attendance(
            by=request.user, registration=registration, status=form.cleaned_data["status"], request=request
        ),
        success=_("Attendance saved for %(name)s.") % {"name": registration.user.display_name},
        redirect_to=event.get_absolute_url() + "#registrants",
    )


@login_required
def training_settings(request):
    """The calendar feed; the time zone events are shown in is the person's preference."""
    return render(request, "training/settings.html", {"has_feed": bool(request.user.calendar_token)})


@login_required
@require_POST
def feed_reset(request):
    """Only the feed secret's hash is kept, so its address is shown here, once, and not on
    later visits to the settings page (as with API tokens)."""
    had_feed = bool(request.user.calendar_token)
    token = services.calendar_token_reset(user=request.user, request=request)
    if had_feed:
        messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
    else:
        messages.success(request, _("Your calendar feed is ready."))
    context = {
        "has_feed": True,
        "feed_url": request.build_absolute_uri(reverse("training-feed", kwargs={"token": token})),
    }
    return render(request, "training/settings.html", context)


def feed(request, token: str):
    """Public on purpose: calendar applications fetch it without a session. The unguessable
    token is the credential, so a wrong or reset token is a plain 404."""
    owner = selectors.feed_owner(token)
    if owner is None:
        raise Http404
    body = feed_ics(selectors.feed_events(owner), name=_("Counterpoint training"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
