"""REST endpoints for campaigns: same validation and permissions as the pages."""

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from campaigns.models import Campaign, CampaignDailyStat
from campaigns.selectors import EDITOR_ROLES, campaign_for_user, campaigns_visible_to
from campaigns.serializers import CampaignSerializer, DailyStatSerializer, StatsUpsertResultSerializer
from campaigns.services import upsert_daily_stats
from crm.auth import TokenWithRolesAuthentication
from crm.bounds import ApiDateField
from crm.roles import role_permission
from reports.selectors import campaigns_with_figures

MAX_STATS_PER_REQUEST = 1000
# Token first: an anonymous request then gets 401 with a WWW-Authenticate header rather than 403.
AUTHENTICATION = [TokenWithRolesAuthentication, SessionAuthentication]
PERMISSIONS = [role_permission(write=EDITOR_ROLES)]

FIGURE_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Count stats and leads from this day."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Count stats and leads up to this day."),
    OpenApiParameter("attribution", str, enum=["first", "last"], description="Lead attribution (default first)."),
]


class _DateRange(serializers.Serializer):
    date_from = ApiDateField(required=False)
    date_to = ApiDateField(required=False)
    attribution = serializers.ChoiceField(choices=["first", "last"], required=False, default="first")


class CampaignFiguresMixin:
    authentication_classes = AUTHENTICATION
    permission_classes = PERMISSIONS
    serializer_class = CampaignSerializer
    lookup_field = "slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator only needs the model
            return Campaign.objects.none()
        options = _DateRange(data=self.request.query_params)
        options.is_valid(raise_exception=True)
        return campaigns_with_figures(campaigns_visible_to(self.request.user), **options.validated_data).order_by(
            "-start_date", "name", "pk"
        )

    def _with_figures(self, campaign):
        """Writes answer with the campaign as a read would show it (figures included)."""
        return self.get_serializer(campaigns_with_figures(campaigns_visible_to(self.request.user)).get(pk=campaign.pk))


@extend_schema_view(
    get=extend_schema(summary="List campaigns with their figures", parameters=FIGURE_PARAMETERS),
    post=extend_schema(summary="Create a campaign (marketers and managers)"),
)
class CampaignListCreate(CampaignFiguresMixin, generics.ListCreateAPIView):
    filterset_fields = ["channel", "status"]

    def get_queryset(self):
        queryset = super().get_queryset()
        archived = self.request.query_params.get("archived")
        return queryset if archived == "1" else queryset.filter(Q(archived_at__isnull=True))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = serializer.save()
        return Response(self._with_figures(campaign).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="One campaign with its figures", parameters=FIGURE_PARAMETERS),
    put=extend_schema(summary="Replace a campaign's details (marketers and managers)"),
    patch=extend_schema(summary="Change some of a campaign's details (marketers and managers)"),
)
class CampaignDetail(CampaignFiguresMixin, generics.RetrieveUpdateAPIView):
    def get_object(self):
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return campaign_for_user(self.request.user, self.kwargs["slug"], write=write, queryset=self.get_queryset())

    def update(self, request, *args, partial=False, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        campaign = serializer.save()
        return Response(self._with_figures(campaign).data)


class CampaignStats(generics.ListAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = PERMISSIONS
    serializer_class = DailyStatSerializer
    filter_backends: list = []

    def get_campaign(self, *, write=False):
        return campaign_for_user(self.request.user, self.kwargs["slug"], write=write)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CampaignDailyStat.objects.none()
        return self.get_campaign().daily_stats.order_by("-date")

    @extend_schema(summary="A campaign's daily stats, latest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Log or correct daily stats in bulk (marketers and managers)",
        description=(
            "Send a list of days. Each valid item is saved; a day already logged is updated, not doubled. "
            "Refused items are listed with their index and field errors; the others are kept: 200 when no item "
            "was refused or some were saved, 400 when every item sent was refused."
        ),
        request=DailyStatSerializer(many=True),
        responses={200: StatsUpsertResultSerializer, 400: StatsUpsertResultSerializer},
    )
    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign(write=True)
        items = request.data
        if not isinstance(items, list):
            raise ValidationError({"non_field_errors": ["Send a list of {date, impressions, clicks, spend} items."]})
        if len(items) > MAX_STATS_PER_REQUEST:
            raise ValidationError({"non_field_errors": [f"Send at most {MAX_STATS_PER_REQUEST} days per request."]})
        good, errors = [], []
        for index, item in enumerate(items):
            serializer = DailyStatSerializer(data=item)
            if serializer.is_valid():
                good.append((index, serializer.validated_data))
            else:
                errors.append({"index": index, "errors": serializer.errors})
        result = upsert_daily_stats(campaign=campaign, rows=good)
        errors += [{"index": key, "errors": {k: [v] for k, v in problems.items()}} for key, problems in result.errors]
        body = {"created": result.created, "updated": result.updated, "failed": len(errors), "errors": errors}
        refused = errors and not (result.created or result.updated)
        return Response(
            StatsUpsertResultSerializer(body).data,
            status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_200_OK,
        )
