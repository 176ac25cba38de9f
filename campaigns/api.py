"""REST endpoints for campaigns: same validation and permissions as the pages. The campaigns with their
figures are served by reports.campaign_pages.api."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from campaigns.models import CampaignDailyStat
from campaigns.selectors import EDITOR_ROLES, campaign_for_user
from campaigns.serializers import DailyStatSerializer, StatsUpsertResultSerializer
from campaigns.services import upsert_daily_stats
from crm.auth import TokenWithRolesAuthentication
from crm.roles import role_permission

MAX_STATS_PER_REQUEST = 1000
# Token first: an anonymous request then gets 401 with a WWW-Authenticate header rather than 403.
AUTHENTICATION = [TokenWithRolesAuthentication, SessionAuthentication]
PERMISSIONS = [role_permission(write=EDITOR_ROLES)]


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
