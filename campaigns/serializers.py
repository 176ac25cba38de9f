"""API shapes for campaigns and their daily stats; validation matches the forms (campaigns.services)."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from campaigns.forms import CAMPAIGN_FIELDS, RESERVED_SLUGS
from campaigns.models import MAX_BUDGET, MAX_DAILY_IMPRESSIONS, MAX_DAILY_SPEND, Campaign
from campaigns.selectors import campaign_owners_for
from campaigns.services import save_campaign, validate_day
from crm.bounds import ApiDateField
from crm.relations import LimitedRelationsSerializer


class CampaignSerializer(LimitedRelationsSerializer, serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), required=False, help_text="A marketer or manager; defaults to you."
    )
    budget = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        max_value=MAX_BUDGET,
        required=False,
        help_text=f"At most {MAX_BUDGET:,}.",
    )
    archived = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [*CAMPAIGN_FIELDS, "archived"]
        extra_kwargs = {"slug": {"required": False, "help_text": "Made from the name when left out."}}

    def relation_choices(self, user):
        return {"owner": campaign_owners_for(user)}

    def get_archived(self, campaign) -> bool:
        return campaign.archived_at is not None

    def validate_slug(self, slug):
        if slug in RESERVED_SLUGS:
            raise serializers.ValidationError("“new” is reserved; choose another slug.")
        return slug

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": "The end date cannot be before the start date."})
        return attrs

    def create(self, validated_data):
        validated_data.setdefault("owner", self.context["request"].user)
        return save_campaign(campaign=Campaign(**validated_data))

    def update(self, campaign, validated_data):
        for name, value in validated_data.items():
            setattr(campaign, name, value)
        return save_campaign(campaign=campaign)


class DailyStatSerializer(serializers.Serializer):
    date = ApiDateField(help_text="A day that has happened, in the last ten years.")
    impressions = serializers.IntegerField(min_value=0, max_value=MAX_DAILY_IMPRESSIONS)
    clicks = serializers.IntegerField(min_value=0, max_value=MAX_DAILY_IMPRESSIONS, help_text="At most impressions.")
    spend = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        max_value=MAX_DAILY_SPEND,
        help_text=f"At most {MAX_DAILY_SPEND:,} a day.",
    )

    def validate(self, attrs):
        problems = validate_day(**attrs)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class StatItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the refused item in the list sent (from 0).")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class StatsUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = StatItemErrorSerializer(many=True)
