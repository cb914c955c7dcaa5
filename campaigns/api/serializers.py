from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from campaigns import validation
from campaigns.models import (
    Campaign,
    CampaignPartner,
    CampaignStatus,
    ContentItem,
    ContentItemEvent,
    MetricReport,
    PartnerRole,
)
from partners.models import Organisation


def _clean(cleaner, value):
    try:
        return cleaner(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


# --- Campaigns ----------------------------------------------------------------------------------


class PartnerSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = CampaignPartner
        fields = ["organisation", "organisation_name", "role", "status", "invited_at", "responded_at"]


class CampaignSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    partners = PartnerSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "title",
            "summary",
            "goal",
            "audience",
            "key_messages",
            "messengers",
            "channels",
            "call_to_action",
            "languages",
            "countries",
            "hashtags",
            "themes",
            "start_date",
            "end_date",
            "status",
            "owner",
            "partners",
            "created_at",
            "updated_at",
        ]

    def get_owner(self, campaign) -> str | None:
        return campaign.owner.display_name if campaign.owner else None


class CampaignInputSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    goal = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    audience = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    key_messages = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    messengers = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    call_to_action = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    channels = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=30)
    languages = serializers.ListField(child=serializers.CharField(max_length=2), required=False, max_length=30)
    countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False, max_length=30)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=101), required=False, max_length=30)
    themes = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=30)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices, required=False)

    def validate_channels(self, value):
        return _clean(validation.clean_channels, value)

    def validate_languages(self, value):
        return _clean(validation.clean_languages, value)

    def validate_countries(self, value):
        return _clean(validation.clean_countries, value)

    def validate_hashtags(self, value):
        return _clean(validation.clean_hashtags, value)

    def validate_themes(self, value):
        return _clean(validation.clean_themes, value)

    def validate(self, data):
        if self.instance is None and data.get("status", CampaignStatus.DRAFT) != CampaignStatus.DRAFT:
            raise serializers.ValidationError({"status": [_("A new campaign starts as a draft.")]})
        if self.instance is not None and "slug" in data:
            raise serializers.ValidationError({"slug": [_("A campaign's address can't change.")]})
        start = data.get("start_date", getattr(self.instance, "start_date", None))
        end = data.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": [_("The end date must not be before the start date.")]})
        return data


class PartnerInviteSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=PartnerRole.choices)


# --- Content ------------------------------------------------------------------------------------


class ContentEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ContentItemEvent
        fields = ["at", "action", "actor", "from_status", "to_status", "comment"]

    def get_actor(self, event) -> str | None:
        return event.actor.display_name if event.actor else None


class ContentItemSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.SerializerMethodField()
    history = ContentEventSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = ContentItem
        fields = [
            "id",
            "title",
            "body",
            "channel",
            "language",
            "planned_for",
            "status",
            "published_url",
            "published_at",
            "organisation",
            "author",
            "created_at",
            "updated_at",
            "history",
        ]

    def get_author(self, item) -> str | None:
        return item.author.display_name if item.author else None


class ContentItemInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000)
    channel = serializers.CharField(max_length=40)
    language = serializers.CharField(max_length=2)
    planned_for = serializers.DateField(required=False, allow_null=True)

    def validate_channel(self, value):
        return _clean(validation.clean_channel, value)

    def validate_language(self, value):
        return _clean(validation.clean_language, value)


class ContentActionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    published_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- Metrics ------------------------------------------------------------------------------------


class MetricReportSerializer(serializers.ModelSerializer):
    content_item = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = MetricReport
        fields = [
            "id",
            "period_start",
            "period_end",
            "impressions",
            "engagements",
            "shares",
            "clicks",
            "content_item",
            "organisation",
            "created_at",
        ]


class MetricReportInputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    impressions = serializers.IntegerField(min_value=0, max_value=10**15)
    engagements = serializers.IntegerField(min_value=0, max_value=10**15)
    shares = serializers.IntegerField(min_value=0, max_value=10**15)
    clicks = serializers.IntegerField(min_value=0, max_value=10**15)
    content_item = serializers.UUIDField(required=False, allow_null=True)

    def validate(self, data):
        if data["period_end"] < data["period_start"]:
            raise serializers.ValidationError({"period_end": [_("The period must not end before it starts.")]})
        return data
