"""The email API: templates (list, read, create, update) and sending an email to a lead (answered 202)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api_errors import as_api_error
from crm.roles import ROLES, role_permission
from leads.selectors import lead_for_user
from outreach import selectors
from outreach.sending import queue_email
from outreach.serializers import EmailSendSerializer, EmailSerializer, EmailTemplateSerializer
from outreach.services import save_template


@extend_schema_view(
    list=extend_schema(summary="List the email templates you may see (marketing: all; a rep: approved and own)"),
    retrieve=extend_schema(summary="One email template"),
    create=extend_schema(summary="Create an email template (a rep's own stays unapproved)"),
    update=extend_schema(summary="Replace an email template you may edit"),
    partial_update=extend_schema(summary="Change an email template you may edit"),
)
class EmailTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Marketers and managers write and approve every template; a rep writes their own until approved."""

    serializer_class = EmailTemplateSerializer
    permission_classes = [role_permission(write=ROLES)]

    def get_queryset(self):
        return selectors.templates_visible_to(self.request.user).order_by("purpose", "name", "id")

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        if not selectors.can_edit_template(self.request.user, serializer.instance):
            raise PermissionDenied("Only marketing edits this template.")
        self._save(serializer, serializer.instance)

    def _save(self, serializer, template):
        try:
            serializer.instance = save_template(by=self.request.user, template=template, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc


class LeadEmailsView(APIView):
    """Send an email to a lead: queued now, sent by a worker (its status in the answer, then on the lead)."""

    permission_classes = [role_permission(write=ROLES)]

    @extend_schema(
        summary="Send an email to a lead, from a template or written here",
        request=EmailSendSerializer,
        responses={
            202: OpenApiResponse(EmailSerializer, description="Queued: a worker sends it in a moment."),
            400: OpenApiResponse(
                description="By field: an unknown merge field, a missing subject or body, or `lead` when the lead "
                "has no email, asked not to be contacted, or has not agreed to marketing emails."
            ),
            404: OpenApiResponse(description="No such lead."),
        },
    )
    def post(self, request, pk):
        lead = lead_for_user(request.user, pk)
        serializer = EmailSendSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            email = queue_email(lead=lead, sender=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc
        return Response(EmailSerializer(email).data, status=status.HTTP_202_ACCEPTED)
