import zoneinfo
from datetime import UTC

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from partners.models import OrganisationKind
from portal.calendar import parse_month
from training.models import Format, RegistrationStatus
from training.services import EDITABLE_FIELDS, MAX_CAPACITY, is_valid_time_zone

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def zone_choices(blank_label: str | None = None) -> list[tuple[str, str]]:
    choices = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]
    return ([("", blank_label)] if blank_label is not None else []) + choices


class EventFilterForm(forms.Form):
    format = forms.ChoiceField(required=False, choices=[("", "Any format"), *Format.choices])
    topic = forms.ChoiceField(required=False, choices=[("", "Any topic")])
    month = forms.CharField(
        required=False,
        label="Month",
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
        help_text="Shows that month's events, past ones included.",
    )

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Any topic"), *[(t, t.capitalize()) for t in topics]]

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if value and parse_month(value) is None:
            raise forms.ValidationError("Give a month as YYYY-MM.")
        return value


class EventForm(forms.Form):
    """An event's fields; times are typed in the event's own time zone."""

    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=80, required=False, help_text="The address of the event page; left empty, made from the title."
    )
    description = forms.CharField(widget=forms.Textarea, required=False)
    format = forms.ChoiceField(choices=Format.choices)
    topics = forms.CharField(required=False, help_text="Separate topics with commas, e.g. counter-speech, OSINT.")
    timezone = forms.ChoiceField(label="Time zone", help_text="The start and end times below are in this zone.")
    starts_at = forms.DateTimeField(
        label="Starts",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    ends_at = forms.DateTimeField(
        label="Ends",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    registration_closes_at = forms.DateTimeField(
        label="Registration closes",
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="Empty: registration stays open until the start.",
    )
    location = forms.CharField(max_length=300, required=False, help_text="Venue and address, if in person.")
    online_url = forms.URLField(
        max_length=500,
        required=False,
        label="Online link",
        assume_scheme="https",
        help_text="Shown only to confirmed participants.",
    )
    capacity = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY, required=False, help_text="Empty: no limit.")
    audience = forms.MultipleChoiceField(
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of these kinds of organisation may register.",
    )
    materials = forms.CharField(
        widget=forms.Textarea, required=False, help_text="Slides, links and notes, shown after the event."
    )
    organisers = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="People who may edit this event and mark attendance.",
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
            raise forms.ValidationError("Choose a time zone.")
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
                self.add_error(field, f"{wall:%H:%M} does not exist on that day in {name} (the clocks go forward).")
                continue
            data[field] = local
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("slug", None)
        data.pop("organisers", None)
        return {name: data.get(name) for name in EDITABLE_FIELDS}


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        required=False,
        help_text="Event times are shown in this zone. Empty: each event's own zone.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices("Each event's own zone")


class AttendanceForm(forms.Form):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=[
            (RegistrationStatus.ATTENDED, "Attended"),
            (RegistrationStatus.NO_SHOW, "No-show"),
            (RegistrationStatus.CONFIRMED, "Not marked"),
        ]
    )
