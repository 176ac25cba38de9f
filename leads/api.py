"""REST API for integrations: create-or-merge leads, read and filter them, and send engagement events."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api_errors import as_api_error
from crm.bounds import parse_datetime_in_range
from crm.roles import MANAGER, MARKETER, role_permission
from crm.throttling import ScopedThrottle
from leads.filters import LeadFilter
from leads.models import CaptureSource, Lead
from leads.serializers import (
    MAX_EVENTS_PER_REQUEST,
    EventBatchResultSerializer,
    EventSerializer,
    LeadCaptureSerializer,
    LeadSerializer,
    validate_events,
)
from leads.services.capture import capture_lead
from leads.services.events import record_events

WRITERS = (MARKETER, MANAGER)


class NewestFirst(CursorPagination):
    """Cursor pages: no COUNT and no OFFSET, so page 10,000 is as fast as page 1."""

    ordering = ("-created_at", "-id")
    page_size = 50

    def decode_cursor(self, request):
        """A cursor the API did not write answers 400 naming the parameter: DRF answers 404 to one it cannot
        decode, and a 500 to one whose position is not a time within crm.bounds."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = False
        if cursor is False or (
            cursor and cursor.position is not None and parse_datetime_in_range(cursor.position) is None
        ):
            raise ValidationError({self.cursor_query_param: ["Not a cursor this list gave; start again without it."]})
        return cursor


@extend_schema_view(
    list=extend_schema(summary="List leads, newest first (cursor pagination)"),
    retrieve=extend_schema(summary="One lead"),
)
class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every role reads leads; marketers and managers (and their tokens) create and merge them."""

    queryset = Lead.objects.select_related("first_touch_campaign", "latest_touch_campaign")
    serializer_class = LeadSerializer
    permission_classes = [role_permission(write=WRITERS)]
    filterset_class = LeadFilter
    pagination_class = NewestFirst

    @extend_schema(
        summary="Create a lead, or merge into the lead with the same email",
        request=LeadCaptureSerializer,
        responses={
            201: OpenApiResponse(LeadSerializer, description="A new lead was created."),
            200: OpenApiResponse(LeadSerializer, description="The email was known: the data was merged into its lead."),
            400: OpenApiResponse(description="Field errors, by field."),
        },
    )
    def create(self, request):
        serializer = LeadCaptureSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        options = {
            name: data.pop(name)
            for name in ("campaign", "consent", "event_kind", "occurred_at", "account", "company_domain")
            if name in data
        }
        try:
            result = capture_lead(
                data=data,
                source=CaptureSource.API,
                by=request.user,
                properties=data.pop("properties", None),
                **options,
            )
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(LeadSerializer(result.lead).data, status=code)


class EventBatchView(APIView):
    """Engagement events from integrations, one at a time or up to 1,000 per request."""

    permission_classes = [role_permission(write=WRITERS)]
    # Ingest has its own, much higher budget (THROTTLE_EVENTS) and does not spend the user's API budget.
    throttle_classes = [ScopedThrottle]
    throttle_scope = "events"

    @extend_schema(
        summary="Record one event or a batch of up to 1,000",
        description=(
            "Send one event object or a list of them. Good items are stored and bad ones reported with their "
            "index and field errors: 201 when every item was stored (or was a resent duplicate), 207 when some "
            "were refused and others stored, 400 when none could be stored."
        ),
        request=PolymorphicProxySerializer(
            component_name="EventOrBatch",
            serializers=[EventSerializer, EventSerializer(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            201: EventBatchResultSerializer,
            207: EventBatchResultSerializer,
            400: EventBatchResultSerializer,
        },
    )
    def post(self, request):
        items = request.data if isinstance(request.data, list) else [request.data]
        if not items:
            raise ValidationError({"detail": "Send one event or a list of at least one."})
        if len(items) > MAX_EVENTS_PER_REQUEST:
            raise ValidationError({"detail": f"Send at most {MAX_EVENTS_PER_REQUEST} events per request."})
        valid, errors = validate_events(items)
        result = record_events(items=valid)
        result.errors = sorted(errors + result.errors, key=lambda error: error["index"])
        if not result.errors:
            code = status.HTTP_201_CREATED
        elif result.stored or result.duplicates:
            code = status.HTTP_207_MULTI_STATUS
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(result.as_body(), status=code)
