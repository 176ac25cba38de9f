from django.contrib.auth import get_user_model
from rest_framework import serializers

from crm.relations import LimitedRelationsSerializer
from goals.models import Metric, PeriodKind, Target, period_start
from goals.selectors import quota_holders


class TargetSerializer(LimitedRelationsSerializer, serializers.ModelSerializer):
    """One target: a period (month or quarter and its first day), a metric, a channel (MQLs only) or a rep
    (revenue only; none: the team's), and the value."""

    rep = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(),
        required=False,
        allow_null=True,
        help_text="A sales rep's own revenue quota (an active sales rep's id); null: the team's. Revenue only.",
    )
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, help_text="Not negative.")

    class Meta:
        model = Target
        fields = ["id", "period_kind", "period_start", "metric", "channel", "rep", "value", "set_by", "set_at"]
        read_only_fields = ["set_by", "set_at"]
        extra_kwargs = {"period_start": {"help_text": "The first day of the month or quarter (YYYY-MM-DD)."}}

    def relation_choices(self, user):
        return {"rep": quota_holders()}

    def validate(self, attrs):
        merged = {name: getattr(self.instance, name) for name in self.Meta.fields if self.instance} | attrs
        kind = merged.get("period_kind") or PeriodKind.MONTH
        errors = {}
        start = merged.get("period_start")
        if start and period_start(start, kind) != start:
            errors["period_start"] = f"A {kind} starts on the first day of a {kind}: {period_start(start, kind)}."
        if merged.get("channel") and merged.get("metric") != Metric.MQLS:
            errors["channel"] = "Only MQL targets are per channel."
        if merged.get("rep") and merged.get("metric") != Metric.REVENUE:
            errors["rep"] = "Only revenue targets are per rep."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
