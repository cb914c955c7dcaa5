"""Outbound notices (SPEC §17; DSA Art. 18) on the pages: platform staff send one and list
them; an agency's liaisons read theirs (also on the desk) and acknowledge them.

Notices are fetched through `outbound_notices_visible_to` (outside scope: 404); the pages exist
for platform roles and liaisons only; every read of a notice is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from referrals import selectors
from referrals.intake.services.bulk import targets_from_text
from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.permissions import (
    can_acknowledge_outbound_notice,
    can_see_outbound_notices,
    can_send_outbound_notices,
)
from referrals.law_enforcement.services import outbound as services
from referrals.law_enforcement.services.outbound import SUMMARY_MAX, SUMMARY_MIN

PAGE_SIZE = 50


class OutboundNoticeForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"),
        queryset=le_selectors.agencies_notifiable(),
        to_field_name="slug",
        empty_label=gettext_lazy("Choose an agency"),
        help_text=gettext_lazy("A verified law-enforcement agency; its liaisons are told at once."),
    )
    summary = forms.CharField(
        label=gettext_lazy("What you found"),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": SUMMARY_MAX, "dir": "auto"}),
        help_text=gettext_lazy(
            "The suspected threat to life or safety: who is at risk, of what, how soon, and what makes you "
            "think so (20–5,000 characters)."
        ),
    )
    targets = forms.CharField(
        label=gettext_lazy("Accounts"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off", "dir": "ltr"}),
        help_text=gettext_lazy("One per line: a URL (https://…) or platform:account. Up to 100."),
    )
    referral = forms.CharField(
        label=gettext_lazy("Referral (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
        help_text=gettext_lazy("The reference of the referral it came from, e.g. R-2026-000123."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit the service enforces, stated where people type.
        self.fields["summary"].widget.attrs["minlength"] = SUMMARY_MIN

    def show(self, errors: dict) -> None:
        """The service's refusals on their fields; one line per account that was refused."""
        for field, problems in errors.items():
            if field == "targets" and problems and isinstance(problems[0], dict):
                problems = [
                    gettext("Line %(line)d: %(problems)s")
                    % {"line": n, "problems": " ".join(str(m) for ms in item.values() for m in ms)}
                    for n, item in enumerate(problems, start=1)
                    if item
                ]
            if field in self.errors:
                continue  # the form's own words already say what is wrong
            self.add_error(field if field in self.fields else None, problems)


def _require_pages(user) -> None:
    if not can_see_outbound_notices(user):
        raise Http404


def _notice(request, id):
    _require_pages(request.user)
    return get_object_or_404(le_selectors.outbound_notices_visible_to(request.user), id=id)


def _initial(user, reference: str) -> dict:
    """From a referral's page: its reference and accounts, ready to send."""
    referral = selectors.referral_for_reference(user, reference) if reference else None
    if referral is None:
        return {}
    lines = [t.url or f"{t.platform}:{t.account}" for t in referral.targets.all()]
    return {"referral": referral.reference, "targets": "\n".join(lines)}


@login_required
def outbound_notice_list(request):
    """Platform roles: every notice, newest first. Liaisons: their agency's."""
    _require_pages(request.user)
    page = Paginator(le_selectors.outbound_notices_visible_to(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    services.outbound_notices_read_audit(
        user=request.user, notices=page.object_list, view="outbound_notices", request=request
    )
    context = {"page": page, "can_send": can_send_outbound_notices(request.user)}
    return render(request, "referrals/outbound_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def outbound_notice_new(request):
    _require_pages(request.user)
    if not can_send_outbound_notices(request.user):
        raise PermissionDenied(_("Only platform staff send notices to agencies."))
    if request.method == "GET":
        form = OutboundNoticeForm(initial=_initial(request.user, request.GET.get("referral", "")))
        return render(request, "referrals/outbound_new.html", {"form": form})
    form = OutboundNoticeForm(request.POST)
    valid = form.is_valid()
    agency = form.cleaned_data.get("agency")
    fields = {
        # An agency the form refused is refused by the service too, in its own words.
        "agency_slug": agency.slug if agency else request.POST.get("agency", ""),
        "summary": form.cleaned_data.get("summary", request.POST.get("summary", "")),
        "referral": form.cleaned_data.get("referral", request.POST.get("referral", "")),
        "targets": targets_from_text(form.cleaned_data.get("targets", request.POST.get("targets", ""))),
    }
    if not valid:
        form.show(services.outbound_notice_problems(by=request.user, **fields))
        return render(request, "referrals/outbound_new.html", {"form": form})
    try:
        notice = services.outbound_notice_create(by=request.user, request=request, **fields)
    except services.OutboundNoticeInvalid as exc:
        form.show(exc.errors)
        return render(request, "referrals/outbound_new.html", {"form": form})
    messages.success(request, _("The notice was sent to %(agency)s.") % {"agency": notice.agency.name})
    return redirect("outbound-notice-detail", id=notice.id)


@login_required
def outbound_notice_detail(request, id):
    notice = _notice(request, id)
    services.outbound_notices_read_audit(user=request.user, notices=[notice], view="outbound_notice", request=request)
    context = {
        "notice": notice,
        "referral": le_selectors.outbound_notice_referral_shown(request.user, notice),
        "platform": can_send_outbound_notices(request.user),
        "can_acknowledge": can_acknowledge_outbound_notice(request.user, notice),
    }
    return render(request, "referrals/outbound_detail.html", context)


@login_required
@require_POST
def outbound_notice_acknowledge(request, id):
    notice = _notice(request, id)
    if not can_acknowledge_outbound_notice(request.user, notice):
        raise PermissionDenied(_("Only the agency's liaisons acknowledge its notices."))
    services.outbound_notice_acknowledge(by=request.user, notice=notice, request=request)
    messages.success(request, _("Notice acknowledged."))
    if request.POST.get("back") == "home":
        return redirect("home")
    return redirect(reverse("outbound-notice-detail", kwargs={"id": notice.id}))
