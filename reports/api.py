"""Read-only REST endpoints with the same figures, filters and permissions as the report pages.

Query parameters are validated by the pages' filter form; unlike a page (which shows the error and falls
back to defaults), the API answers 400 with the field errors. Ratios are numbers rounded to 4 places (0.5 =
50 %), money is a decimal string, a ratio with a zero denominator is null.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import Channel
from crm.roles import role_permission
from reports import campaigns, feedback, funnel, sales
from reports.filters import CAMPAIGN_VIEWERS, PRESETS, REPORT_VIEWERS, SALES_VIEWERS, filters_from_query
from reports.forms import CampaignReportFilterForm, FunnelFilterForm


def ratio(**kwargs):
    """A share (0.5 = 50 %) as a JSON number; null for a zero denominator."""
    return serializers.DecimalField(
        max_digits=None, decimal_places=4, coerce_to_string=False, allow_null=True, **kwargs
    )


def money(**kwargs):
    return serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True, **kwargs)


class FiltersSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    channel = serializers.CharField()
    campaign = serializers.IntegerField(source="campaign_id", allow_null=True)
    owner = serializers.IntegerField(source="owner_id", allow_null=True)


class PeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    reached = serializers.IntegerField()
    previous_reached = serializers.IntegerField()
    reached_delta = serializers.IntegerField()
    conversion = ratio(help_text="Share that reached the next stage (null for the last stage).")
    previous_conversion = ratio()
    conversion_delta = ratio()
    median_days = serializers.FloatField(allow_null=True, help_text="Median days to reach the next stage.")
    dropped = serializers.IntegerField(allow_null=True)
    left_nurture = serializers.IntegerField(allow_null=True)
    left_disqualified = serializers.IntegerField(allow_null=True)


class FunnelGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    reached = serializers.DictField(child=serializers.IntegerField())
    conversion = ratio()


class FunnelReportSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    cohort = serializers.IntegerField()
    overall_conversion = ratio()
    stages = FunnelStageSerializer(many=True)
    previous_period = PeriodSerializer()
    split = serializers.CharField()
    groups = FunnelGroupSerializer(many=True)


class SalesSummarySerializer(serializers.Serializer):
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    revenue = money()
    win_rate = ratio()
    average_deal_size = money()
    sales_cycle_days = serializers.FloatField(allow_null=True)
    open_deals = serializers.IntegerField()
    pipeline_value = money()
    weighted_pipeline_value = money()
    sales_velocity = money(help_text="Revenue per day.")
    rotting_deals = serializers.IntegerField()
    handed_over = serializers.IntegerField()
    answered_within_sla = serializers.IntegerField()
    sla_compliance = ratio()
    speed_to_lead_hours = serializers.FloatField(allow_null=True)


class ForecastMonthSerializer(serializers.Serializer):
    month = serializers.DateField(allow_null=True)
    label = serializers.CharField()
    deals = serializers.IntegerField()
    amount = money()
    weighted_amount = money()


class RepRowSerializer(serializers.Serializer):
    rep_id = serializers.IntegerField()
    rep = serializers.CharField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    revenue = money()
    win_rate = ratio()
    handed_over = serializers.IntegerField()
    within_sla = serializers.IntegerField()
    sla_compliance = ratio()
    speed_to_lead_hours = serializers.FloatField(allow_null=True)


class SalesReportSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    summary = SalesSummarySerializer()
    forecast = ForecastMonthSerializer(many=True)
    reps = RepRowSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class ReasonGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class ReasonPivotSerializer(serializers.Serializer):
    reasons = ReasonSerializer(many=True)
    groups = ReasonGroupSerializer(many=True)


class AcceptanceSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    acceptance_rate = ratio()


class NoteSerializer(serializers.Serializer):
    lead = serializers.CharField()
    lead_id = serializers.IntegerField()
    author = serializers.CharField()
    created_at = serializers.DateTimeField()
    body = serializers.CharField()


class CampaignNotesSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    notes = NoteSerializer(many=True)


class FeedbackReportSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    rejections_by_campaign = ReasonPivotSerializer()
    rejections_by_channel = ReasonPivotSerializer()
    losses_by_campaign = ReasonPivotSerializer()
    losses_by_channel = ReasonPivotSerializer()
    acceptance = AcceptanceSerializer(many=True)
    notes = CampaignNotesSerializer(many=True)


FILTER_PARAMETERS = [
    OpenApiParameter("period", str, enum=[value for value, _ in PRESETS], description="Default: last_30."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="With period=custom (or no period)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Included."),
    OpenApiParameter("channel", str, enum=Channel.values),
    OpenApiParameter("campaign", int, description="First-touch campaign id."),
    OpenApiParameter("owner", int, description="Owner's user id (ignored for sales reps: always themselves)."),
]


def filters_or_400(request, form_class=None):
    kwargs = {"form_class": form_class} if form_class else {}
    form, filters = filters_from_query(request.query_params, user=request.user, **kwargs)
    if form.errors:
        raise ValidationError({field: [str(error) for error in errors] for field, errors in form.errors.items()})
    return form, filters


class FunnelReportView(APIView):
    """The funnel of leads created in the period (see /reports/funnel/)."""

    permission_classes = [role_permission(read=REPORT_VIEWERS)]

    @extend_schema(
        parameters=[*FILTER_PARAMETERS, OpenApiParameter("split", str, enum=["channel", "campaign"])],
        responses=FunnelReportSerializer,
    )
    def get(self, request):
        form, filters = filters_or_400(request, FunnelFilterForm)
        split = form.cleaned_data.get("split") or ""
        data = {
            "filters": filters,
            **funnel.funnel_report(filters),
            "split": split,
            "groups": funnel.funnel_by_group(filters, split),
        }
        return Response(FunnelReportSerializer(data).data)


class SalesReportView(APIView):
    """Win rate, pipeline, forecast and each rep's figures (see /reports/sales/)."""

    permission_classes = [role_permission(read=SALES_VIEWERS)]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=SalesReportSerializer)
    def get(self, request):
        _, filters = filters_or_400(request)
        return Response(SalesReportSerializer({"filters": filters, **sales.sales_report(filters)}).data)


class FeedbackReportView(APIView):
    """MQL rejection and deal loss reasons, acceptance and sales notes by campaign (see /reports/feedback/)."""

    permission_classes = [role_permission(read=REPORT_VIEWERS)]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=FeedbackReportSerializer)
    def get(self, request):
        _, filters = filters_or_400(request)
        report = feedback.feedback_report(filters)
        data = {
            "filters": filters,
            "rejections_by_campaign": report["rejections"]["campaign"],
            "rejections_by_channel": report["rejections"]["channel"],
            "losses_by_campaign": report["losses"]["campaign"],
            "losses_by_channel": report["losses"]["channel"],
            "acceptance": report["acceptance"],
            "notes": report["notes"],
        }
        return Response(FeedbackReportSerializer(data).data)


class CampaignRatiosSerializer(serializers.Serializer):
    ctr = ratio()
    cpc = money()
    cpl = money()
    cost_per_mql = money()
    cac = money()
    roi = ratio()
    acceptance_rate = ratio(help_text="MQLs accepted / MQLs accepted or rejected.")


class LeadFiguresSerializer(serializers.Serializer):
    leads = serializers.IntegerField()
    mqls = serializers.IntegerField()
    sqls = serializers.IntegerField()
    opportunities = serializers.IntegerField()
    customers = serializers.IntegerField()
    revenue = money()
    mqls_accepted = serializers.IntegerField()
    mqls_rejected = serializers.IntegerField()


class CampaignFiguresSerializer(LeadFiguresSerializer):
    spend = money()
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()
    ratios = CampaignRatiosSerializer()


class CampaignRowSerializer(CampaignFiguresSerializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    channel = serializers.CharField()


class ChannelRowSerializer(CampaignFiguresSerializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    campaigns = serializers.IntegerField()


class UnattributedAcceptanceSerializer(serializers.Serializer):
    acceptance_rate = ratio(help_text="MQLs accepted / MQLs accepted or rejected.")


class UnattributedSerializer(LeadFiguresSerializer):
    """What no campaign gets the credit for under the attribution: no spend, so no spend ratios."""

    ratios = UnattributedAcceptanceSerializer()


class CampaignReportSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    attribution = serializers.ChoiceField(choices=campaigns.ATTRIBUTIONS)
    view = serializers.ChoiceField(choices=campaigns.VIEWS)
    campaigns = CampaignRowSerializer(many=True)
    channels = ChannelRowSerializer(many=True)
    unattributed = UnattributedSerializer(
        allow_null=True,
        help_text=(
            "Leads (and in the activity view, revenue of deals without a lead) that no campaign gets the credit "
            "for under the attribution, of the chosen channel. Campaigns plus this row add up to the funnel's "
            "cohort (view=cohort) and the sales report's revenue (view=activity). Null when a campaign or an "
            "owner is chosen."
        ),
    )


class CampaignReportView(APIView):
    """Spend, funnel counts, revenue and ratios per campaign and channel (see /reports/campaigns/)."""

    permission_classes = [role_permission(read=CAMPAIGN_VIEWERS)]

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("attribution", str, enum=["first", "last"], description="Default: first."),
            OpenApiParameter(
                "view",
                str,
                enum=[value for value, _ in campaigns.VIEWS],
                description=(
                    "cohort (default): the leads created in the period and what became of them; activity: what "
                    "happened in the period (stages reached, revenue closed, MQLs answered)."
                ),
            ),
        ],
        responses=CampaignReportSerializer,
    )
    def get(self, request):
        form, filters = filters_or_400(request, CampaignReportFilterForm)
        attribution = form.cleaned_data.get("attribution") or "first"
        view = form.cleaned_data.get("view") or campaigns.DEFAULT_VIEW
        report = campaigns.campaign_report(filters, attribution, view)
        data = {
            "filters": filters,
            "attribution": attribution,
            "view": view,
            "campaigns": report.campaigns,
            "channels": report.channels,
            "unattributed": report.unattributed,
        }
        return Response(CampaignReportSerializer(data).data)
