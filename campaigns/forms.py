import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns import validation
from campaigns.models import PartnerRole
from partners.models import Organisation, OrganisationKind
from referrals.models import Category


class ListField(forms.CharField):
    """A comma-separated list in one text input, checked by `cleaner`."""

    def __init__(self, *, cleaner, **kwargs):
        self.cleaner = cleaner
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def clean(self, value):
        return self.cleaner(super().clean(value))


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    audience = forms.CharField(
        label=_("Audience"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    key_messages = forms.CharField(
        label=_("Key messages"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )
    messengers = forms.CharField(
        label=_("Messengers"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    call_to_action = forms.CharField(
        label=_("Call to action"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )
    channels = ListField(
        label=_("Channels"), cleaner=validation.clean_channels, help_text=_("Comma-separated, e.g. instagram, youtube")
    )
    languages = ListField(
        label=_("Languages"), cleaner=validation.clean_languages, help_text=_("ISO 639-1 codes, e.g. en, de")
    )
    countries = ListField(
        label=_("Countries"), cleaner=validation.clean_countries, help_text=_("ISO 3166-1 codes, e.g. GB, DE")
    )
    hashtags = ListField(
        label=_("Hashtags"), cleaner=validation.clean_hashtags, help_text=_("Without or with #, comma-separated")
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Referral categories this campaign counters"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        return data


class PartnerInviteForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.NGO),
        to_field_name="slug",
        empty_label=_("Choose an NGO"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices, initial=PartnerRole.CONTRIBUTOR)


class StatusForm(forms.Form):
    status = forms.CharField(max_length=10)


class ContentItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)
    channel = forms.CharField(label=_("Channel"), max_length=40, help_text=_("Where it will run, e.g. instagram"))
    language = forms.CharField(label=_("Language"), max_length=2, help_text=_("ISO 639-1 code, e.g. en"))
    planned_for = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Planned for")
    )

    def clean_channel(self):
        return validation.clean_channel(self.cleaned_data["channel"])

    def clean_language(self):
        return validation.clean_language(self.cleaned_data["language"])


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class PublishForm(forms.Form):
    published_url = forms.CharField(max_length=500, label=_("Published at (address)"))

    def clean_published_url(self):
        return validation.clean_published_url(self.cleaned_data["published_url"])


class MetricReportForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    impressions = forms.IntegerField(label=_("Impressions"), min_value=0)
    engagements = forms.IntegerField(label=_("Engagements"), min_value=0)
    shares = forms.IntegerField(label=_("Shares"), min_value=0)
    clicks = forms.IntegerField(label=_("Clicks"), min_value=0)
    content_item = forms.ChoiceField(required=False, label=_("Content item (optional)"))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_item"].choices = [("", _("The whole campaign"))] + [(str(i.pk), i.title) for i in items]

    def clean_content_item(self):
        value = self.cleaned_data["content_item"]
        return uuid.UUID(value) if value else None


class MetricCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Header: period_start,period_end,impressions,engagements,shares,clicks,content_item"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it."))
        return upload
