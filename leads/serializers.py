from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.models import Campaign
from leads.models import CompanySize, EventKind, Lead
from leads.services import check_properties

MAX_EVENTS_PER_REQUEST = 1000


@extend_schema_field({"type": "string", "enum": EventKind.values})
class EventKindField(serializers.ChoiceField):
    """The event kind of a capture, documented inline so the schema has one EventKind enum component."""

    def __init__(self, **kwargs):
        super().__init__(choices=EventKind.choices, **kwargs)


class LeadSerializer(serializers.ModelSerializer):
    """A lead as the API returns it (campaigns by slug, owner by id)."""

    first_touch_campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    latest_touch_campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "company",
            "job_title",
            "company_size",
            "industry",
            "country",
            "marketing_consent",
            "consent_at",
            "consent_source",
            "stage",
            "owner",
            "first_touch_campaign",
            "latest_touch_campaign",
            "source_channel",
            "source",
            "fit_score",
            "engagement_score",
            "score",
            "scored_at",
            "last_event_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LeadCaptureSerializer(serializers.Serializer):
    """Create or merge a lead by email (blank fields never overwrite), recording one event."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    job_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    company_size = serializers.ChoiceField(choices=CompanySize.choices, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(max_length=60, required=False, allow_blank=True)
    campaign = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Campaign.objects.active(),
        required=False,
        allow_null=True,
        help_text="Slug of the campaign that brought the lead (first touch if it has none, latest touch always).",
    )
    consent = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: opted in to marketing; false: opted out; omitted: unchanged.",
    )
    event_kind = EventKindField(required=False, help_text="The engagement recorded (default: other).")
    occurred_at = serializers.DateTimeField(required=False, help_text="When it happened (default: now).")
    properties = serializers.JSONField(required=False, help_text="A JSON object of at most 4 KB.")

    def validate_properties(self, value):
        return _check_properties(value)


class EventSerializer(serializers.Serializer):
    """One engagement event, for a lead given by `lead` (id) or `email`."""

    lead = serializers.IntegerField(required=False, min_value=1, help_text="The lead's id (or give `email`).")
    email = serializers.EmailField(required=False, help_text="The lead's email, any case (or give `lead`).")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    campaign = serializers.SlugField(required=False, allow_blank=True, help_text="Slug of the campaign, if any.")
    properties = serializers.JSONField(required=False, help_text="A JSON object of at most 4 KB.")
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Your id for the event: an event sent again with the same external_id is ignored.",
    )

    def validate_properties(self, value):
        return _check_properties(value)

    def validate(self, attrs):
        if not attrs.get("lead") and not attrs.get("email"):
            raise serializers.ValidationError({"lead": "Give the lead's id (`lead`) or its `email`."})
        return attrs


def _check_properties(value):
    from django.core.exceptions import ValidationError

    try:
        return check_properties(value)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.message_dict["properties"]) from exc


class EventErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the refused item in the request (0 for a single event).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Messages by field."
    )


class EventBatchResultSerializer(serializers.Serializer):
    stored = serializers.IntegerField(help_text="Events stored.")
    duplicates = serializers.IntegerField(help_text="Events ignored because their external_id was already stored.")
    failed = serializers.IntegerField(help_text="Items refused; see errors.")
    errors = EventErrorSerializer(many=True)
