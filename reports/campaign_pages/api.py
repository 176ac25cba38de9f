"""REST endpoints for campaigns with their figures: same validation and permissions as the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from campaigns.api import AUTHENTICATION, PERMISSIONS
from campaigns.filters import CampaignApiFilter
from campaigns.models import Campaign
from campaigns.selectors import campaign_for_user, campaigns_visible_to
from crm.bounds import ApiDateField
from reports.campaign_pages.serializers import CampaignWithFiguresSerializer
from reports.selectors import campaigns_with_figures

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
    serializer_class = CampaignWithFiguresSerializer
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
    filterset_class = CampaignApiFilter

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
