"""The referral list filters of SPEC §9, one FilterSet for the API list, the `/referrals/` page
and the liaison's CSV export, so one query string selects the same referrals wherever it goes.

`received_after` and `received_before` are ISO 8601 dates or date-times, a date alone meaning
that day's 00:00 UTC: `received_after` is "at or after" (it includes the day it names) and
`received_before` "strictly before" (it does not). A day is `received_after=D&received_before=D+1`.
A value that does not parse is an error on its field: a 400 in the API, a form error on the page.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from referrals import selectors
from referrals.models import Category, Kind, Referral, Status

_DAY = {"type": "date"}


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"), empty_label=_("Any status"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"), empty_label=_("Any category"))
    queue = django_filters.CharFilter(
        method="filter_queue", label=_("Queue"), help_text=_("Queue slug (platform roles)")
    )
    received_after = django_filters.IsoDateTimeFilter(
        field_name="received_at",
        lookup_expr="gte",
        label=_("Received from"),
        help_text=_("At or after this time; a date alone means from 00:00 UTC that day."),
        widget=forms.DateInput(attrs=_DAY),
    )
    received_before = django_filters.IsoDateTimeFilter(
        field_name="received_at",
        lookup_expr="lt",
        label=_("Received before"),
        help_text=_(
            "Strictly before this time; a date alone means before 00:00 UTC that day (the day is not included)."
        ),
        widget=forms.DateInput(attrs=_DAY),
    )
    subject = django_filters.UUIDFilter(method="filter_subject", label=_("Subject"), help_text=_("Subject id"))

    class Meta:
        model = Referral
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        # On a page, filters a person would not pick from a box still apply when a link carries
        # them (a subject's referrals; a queue, which partners never see), as hidden inputs.
        self.filters["subject"].extra["widget"] = forms.HiddenInput
        if not self._platform:
            self.filters["queue"].extra["widget"] = forms.HiddenInput

    @property
    def _platform(self) -> bool:
        return self.request is not None and selectors.is_platform_staff(self.request.user)

    def filter_queue(self, queryset, name, value):
        # Partners do not see queues, so their filter by one matches nothing rather than
        # letting them map which of their referrals sit where.
        if not self._platform:
            return queryset.none()
        return queryset.filter(queue__slug=value)

    def filter_subject(self, queryset, name, value):
        return selectors.referrals_naming(queryset, subject_id=value)


class _SearchFirst(forms.Form):
    field_order = ["q"]


class ReferralSearchFilter(ReferralFilter):
    """The page's filters: the same as the API's, with the search box on top."""

    q = django_filters.CharFilter(method="filter_search", label=_("Reference or account"), max_length=200)

    class Meta(ReferralFilter.Meta):
        form = _SearchFirst

    def filter_search(self, queryset, name, value):
        return selectors.referral_search(queryset, value)
