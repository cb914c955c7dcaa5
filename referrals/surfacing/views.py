"""Networks of co-referred accounts and hubs (SPEC §14): the pages.

- `/subjects/<id>/network/`: the account's network drawn on the server (SVG) with a table
  beside it, where reviewers and leads choose accounts to decide their open referrals at once;
- `/subjects/hubs/?days=`: the active accounts most co-referred in the window;
- a queue lead raises a `network` signal for a hub from either page (POST).

Platform roles only: to anyone else these pages do not exist (404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.actions import act, posted_ids
from referrals.review.permissions import can_decide_in_bulk
from referrals.review.workbench_selectors import BULK_MAX
from referrals.services.reads import referrals_read_audit
from referrals.surfacing import graph, markup, selectors
from referrals.surfacing.forms import HubsForm, NetworkSignalForm
from referrals.surfacing.permissions import can_raise_network_signals, can_see_surfacing
from referrals.surfacing.services.network import network_signal_raise


def _require_surfacing(user) -> None:
    if not can_see_surfacing(user):
        raise Http404


def _subject(request, id):
    _require_surfacing(request.user)
    return get_object_or_404(selectors.subjects_visible_to(request.user), pk=id)


@login_required
@require_GET
def network_page(request, id):
    subject = _subject(request, id)
    network = selectors.subject_network(request.user, subject)
    by_id = {node.subject.pk: node.subject for node in network.nodes}
    rows = [{"node": node, "via": by_id.get(node.via)} for node in network.nodes]
    drawing = graph.draw(network)
    can_select = can_decide_in_bulk(request.user)
    context = {
        "subject": subject,
        "network": network,
        "drawing": drawing,
        "rows": rows,
        # Hundreds of elements: formatted in Python, not by template loops (referrals.surfacing.markup).
        "drawing_svg": markup.drawing_svg(drawing),
        "node_links_svg": markup.node_links_svg(drawing),
        "account_rows": markup.account_rows(rows, can_select=can_select),
        "hub": selectors.hub_figures(request.user, subject),
        "days": selectors.HUB_DAYS_DEFAULT,
        "open_signal": selectors.open_signals(request.user, [subject.pk]).get(subject.pk),
        "can_raise": can_raise_network_signals(request.user),
        "can_select": can_select,
        "max_nodes": selectors.NETWORK_MAX_NODES,
    }
    return render(request, "surfacing/network.html", context)


@login_required
@require_GET
def hubs_page(request):
    _require_surfacing(request.user)
    form = HubsForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "hubs": [], "days": None}
        return render(request, "surfacing/hubs.html", context, status=400)
    days = form.days_chosen
    found = selectors.hubs(request.user, days=days)
    signals = selectors.open_signals(request.user, [hub.subject.pk for hub in found])
    context = {
        "form": form,
        "days": days,
        "hubs": [{"hub": hub, "signal": signals.get(hub.subject.pk)} for hub in found],
        "limit": selectors.HUB_LIMIT_DEFAULT,
        "can_raise": can_raise_network_signals(request.user),
    }
    return render(request, "surfacing/hubs.html", context)


def _raised_message(referral, subject) -> str:
    url = reverse("referral-detail", kwargs={"reference": referral.reference})
    text = conditional_escape(_("Signal %(reference)s raised for %(account)s: reviewers will find it in their queues."))
    return mark_safe(  # noqa: S308 (the sentence is escaped; only the two parts below are markup)
        text
        % {
            "reference": format_html('<a href="{}"><bdi>{}</bdi></a>', url, referral.reference),
            "account": format_html("<bdi>{}</bdi> · <bdi>{}</bdi>", subject.platform, subject.account),
        }
    )


@login_required
@require_POST
def network_signal(request, id):
    """Queue leads raise a `network` signal for the hub; everyone else on the platform: 403."""
    subject = _subject(request, id)
    if not can_raise_network_signals(request.user):
        raise PermissionDenied
    form = NetworkSignalForm(request.POST)
    cleaned = form.cleaned_data if form.is_valid() else {}
    days = cleaned.get("days") or selectors.HUB_DAYS_DEFAULT
    if cleaned.get("back") == "hubs":
        back = f"{reverse('subject-hubs')}?{urlencode({'days': days})}"
    else:
        back = reverse("subject-network", kwargs={"id": subject.pk})
    return act(
        request,
        lambda: network_signal_raise(by=request.user, subject=subject, days=days),
        success=lambda referral: _raised_message(referral, subject),
        redirect_to=back,
    )


@login_required
@require_POST
def network_decide(request, id):
    """The accounts chosen on a network page → their open referrals, listed to be handed to
    the bulk decision page (`/decisions/bulk/`), which confirms before deciding."""
    subject = _subject(request, id)
    if not can_decide_in_bulk(request.user):
        raise PermissionDenied
    ids = posted_ids(request.POST.getlist("subjects"))[: selectors.NETWORK_MAX_NODES]
    selection = selectors.network_selection(request.user, ids, limit=BULK_MAX)
    referrals_read_audit(
        user=request.user,
        referrals=selection.referrals,
        view="network_decide",
        filters={"subject": subject.pk},
        request=request,
    )
    context = {"subject": subject, "selection": selection, "max": BULK_MAX}
    return render(request, "surfacing/network_decide.html", context)
