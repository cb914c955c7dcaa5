import zoneinfo
from datetime import UTC

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import OrganisationKind
from portal.calendar import parse_month
from training.models import Format, RegistrationStatus
from training.services import EDITABLE_FIELDS, MAX_CAPACITY, is_valid_time_zone

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def zone_choices(blank_label: str | None = None) -> list[tuple[str, str]]:
    choices = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]
    return ([("", blank_label)] if blank_label is not None else []) + choices


class EventFilterForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), required=False, choices=[("", _("Any format")), *Format.choices])
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("Any topic"))])
    month = forms.CharField(
        required=False,
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month", "placeholder": _("YYYY-MM")}),
        help_text=_("Shows that month's events, past ones included."),
    )

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("Any topic")), *[(t, t.capitalize()) for t in topics]]

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        return value


class EventForm(forms.Form):
    """An event's fields; times are typed in the event's own time zone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=80,
        required=False,
        help_text=_("The address of the event page; left empty, made from the title."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    topics = forms.CharField(
        label=_("Topics"), required=False, help_text=_("Separate topics with commas, e.g. counter-speech, OSINT.")
    )
    timezone = forms.ChoiceField(label=_("Time zone"), help_text=_("The start and end times below are in this zone."))
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Empty: registration stays open until the start."),
    )
    location = forms.CharField(
        label=_("Location"), max_length=300, required=False, help_text=_("Venue and address, if in person.")
    )
    online_url = forms.URLField(
        max_length=500,
        required=False,
        label=_("Online link"),
        assume_scheme="https",
        help_text=_("Shown only to confirmed participants."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, max_value=MAX_CAPACITY, required=False, help_text=_("Empty: no limit.")
    )
    audience = forms.MultipleChoiceField(
        label=_("Audience"),
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of these kinds of organisation may register."),
    )
    materials = forms.CharField(
        label=_("Materials"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Slides, links and notes, shown after the event."),
    )
    organisers = forms.ModelMultipleChoiceField(
        label=_("Organisers"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("People who may edit this event and mark attendance."),
    )

    def __init__(self, *args, event=None, organiser=None, may_name_organisers: bool = False, **kwargs):
        if event is None:
            # A new event starts in its organiser's own zone (their profile setting), else UTC.
            kwargs.setdefault("initial", {}).setdefault("timezone", getattr(organiser, "time_zone", "") or "UTC")
        if event is not None:
            zone = event.zone
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(event, name) for name in EDITABLE_FIELDS},
                    "topics": ", ".join(event.topics),
                    "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
                    "ends_at": event.ends_at.astimezone(zone).replace(tzinfo=None),
                    "registration_closes_at": event.registration_closes_at.astimezone(zone).replace(tzinfo=None)
                    if event.registration_closes_at
                    else None,
                    "organisers": list(event.organisers.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = zone_choices()
        if event is not None:
            del self.fields["slug"]
        if may_name_organisers:
            self.fields["organisers"].queryset = (
                get_user_model().objects.filter(is_active=True, membership__isnull=False).order_by("email")
            )
        else:
            del self.fields["organisers"]

    def clean_timezone(self):
        value = self.cleaned_data["timezone"]
        if not is_valid_time_zone(value):
            raise forms.ValidationError(_("Choose a time zone."))
        return value

    def clean(self):
        data = super().clean()
        name = data.get("timezone")
        if not name:
            return data
        zone = zoneinfo.ZoneInfo(name)
        for field in ("starts_at", "ends_at", "registration_closes_at"):
            value = data.get(field)
            if value is None:
                continue
            # The widget's wall-clock time, read as a time in the event's zone.
            wall = timezone.make_naive(value)
            local = wall.replace(tzinfo=zone)
            if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
                self.add_error(
                    field,
                    gettext("%(time)s does not exist on that day in %(zone)s (the clocks go forward).")
                    % {"time": f"{wall:%H:%M}", "zone": name},
                )
                continue
            data[field] = local
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("slug", None)
        data.pop("organisers", None)
        return {name: data.get(name) for name in EDITABLE_FIELDS}


class AttendanceForm(forms.Form):
    registration = forms.IntegerField(label=_("Registration"), widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (RegistrationStatus.ATTENDED, _("Attended")),
            (RegistrationStatus.NO_SHOW, _("No-show")),
            (RegistrationStatus.CONFIRMED, _("Not marked")),
        ],
    )
