from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import OrganisationKind
from training.models import SEAT_STATUSES, Event, EventStatus, Format, RegistrationStatus
from training.permissions import can_manage_event
from training.services import MAX_CAPACITY, MAX_TOPIC_LENGTH, MAX_TOPICS


class TrainingEventFilterSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    topic = serializers.CharField(required=False, max_length=MAX_TOPIC_LENGTH)
    after = serializers.DateTimeField(required=False, help_text="Events starting at or after this instant.")
    before = serializers.DateTimeField(required=False, help_text="Events starting before this instant.")

    def validate(self, attrs):
        if attrs.get("after") and attrs.get("before") and attrs["before"] <= attrs["after"]:
            raise serializers.ValidationError({"before": [_("Must be later than `after`.")]})
        return attrs


class TrainingEventInputSerializer(serializers.Serializer):
    """Times are ISO 8601 instants (with an offset, or UTC); `timezone` is the IANA zone the
    event is held in, used for its calendar entries and as the default display zone."""

    slug = serializers.SlugField(max_length=80, required=False)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    format = serializers.ChoiceField(choices=Format.choices)
    topics = serializers.ListField(
        child=serializers.CharField(max_length=MAX_TOPIC_LENGTH), max_length=MAX_TOPICS, required=False, default=list
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField(max_length=64)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(
        min_value=1, max_value=MAX_CAPACITY, required=False, allow_null=True, default=None
    )
    registration_closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    audience = serializers.ListField(
        child=serializers.ChoiceField(choices=OrganisationKind.choices), min_length=1, max_length=3
    )
    materials = serializers.CharField(required=False, allow_blank=True, default="")
    organisers = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=20, help_text="E-mail addresses of co-organisers."
    )


class MyRegistrationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)


class RegistrationResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)


class TrainingEventSerializer(serializers.ModelSerializer):
    """One event as the caller may see it: `online_url` is null unless the caller holds a
    confirmed seat or organises it; `materials` appear once the event is over."""

    format = serializers.ChoiceField(choices=Format.choices)
    status = serializers.ChoiceField(choices=EventStatus.choices)
    topics = serializers.ListField(child=serializers.CharField())
    audience = serializers.ListField(child=serializers.ChoiceField(choices=OrganisationKind.choices))
    online = serializers.SerializerMethodField()
    online_url = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    organiser = serializers.SerializerMethodField()
    seats_left = serializers.SerializerMethodField()
    my_registration = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "description",
            "format",
            "topics",
            "starts_at",
            "ends_at",
            "timezone",
            "location",
            "online",
            "online_url",
            "capacity",
            "seats_left",
            "registration_closes_at",
            "audience",
            "organiser",
            "status",
            "materials",
            "my_registration",
            "url",
            "ics_url",
        ]

    def _status(self, event) -> str | None:
        return self.context.get("statuses", {}).get(event.pk)

    def _manages(self, event) -> bool:
        managed = self.context.get("managed")
        if managed is not None:
            return event.pk in managed
        return can_manage_event(self.context["request"].user, event)

    def get_online(self, event) -> bool:
        return bool(event.online_url)

    def get_online_url(self, event) -> str | None:
        if not event.online_url:
            return None
        if self._status(event) in SEAT_STATUSES or self._manages(event):
            return event.online_url
        return None

    def get_materials(self, event) -> str | None:
        if event.has_ended() or self._manages(event):
            return event.materials
        return None

    def get_organiser(self, event) -> str | None:
        return event.organiser.display_name if event.organiser else None

    def get_seats_left(self, event) -> int | None:
        if event.capacity is None:
            return None
        taken = getattr(event, "seats_taken", None)
        if taken is None:
            taken = event.registrations.filter(status__in=SEAT_STATUSES).count()
        return max(event.capacity - taken, 0)

    @extend_schema_field(MyRegistrationSerializer(allow_null=True))
    def get_my_registration(self, event):
        status = self._status(event)
        if status is None or status == RegistrationStatus.CANCELLED:
            return None
        return {"status": status}

    def get_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(event.get_absolute_url())

    def get_ics_url(self, event) -> str:
        return self.context["request"].build_absolute_uri(reverse("training-event-ics", kwargs={"slug": event.slug}))
