"""The campaign as the API shows it: campaigns' own fields and validation, and its figures."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from campaigns.serializers import CampaignSerializer
from reports.selectors import PAGE_FIGURES, CampaignFigure, figure_ratios

# Sums over every day of a campaign (the bounds in campaigns.models keep them under 10^15).
MONEY = {"max_digits": 18, "decimal_places": 2}


def figure_field(figure: CampaignFigure) -> serializers.Field:
    if figure.kind == "count":
        return serializers.IntegerField()
    if figure.kind == "money":
        return serializers.DecimalField(**MONEY)
    if figure.kind == "unit":
        return serializers.DecimalField(**MONEY, allow_null=True)
    if figure.name == "roi":  # revenue over spend has no useful bound (a cent of spend): as many digits as it takes
        return serializers.DecimalField(max_digits=None, decimal_places=6, allow_null=True)
    return serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True)


# The sums first, then the ratios.
API_FIGURES = sorted(PAGE_FIGURES, key=lambda figure: figure.ratio)


class CampaignFiguresSerializer(serializers.Serializer):
    """Totals over every logged day and every attributed lead (first touch); ratios are null when their
    denominator is zero."""

    def get_fields(self):
        return {figure.name: figure_field(figure) for figure in API_FIGURES}


@extend_schema_serializer(component_name="Campaign")
class CampaignWithFiguresSerializer(CampaignSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "figures"]

    @extend_schema_field(CampaignFiguresSerializer)
    def get_figures(self, campaign):
        campaign.ratios = figure_ratios(campaign)
        return CampaignFiguresSerializer({figure.name: figure.of(campaign) for figure in API_FIGURES}).data
