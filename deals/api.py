"""The deals REST API: list, read, create and edit deals, and move them through the one `move_deal` service."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from campaigns.selectors import campaigns_usable_by
from companies.models import Company
from companies.selectors import companies_visible_to
from crm.api_errors import as_api_error
from crm.relations import LimitedRelationsSerializer
from crm.roles import MANAGER, SALES_REP, role_permission
from deals import services
from deals.filters import DealFilter
from deals.forms import LOST_REASON_CHOICES
from deals.models import MAX_POSITION, Deal, Stage
from deals.selectors import (
    can_edit_deal,
    deal_owners_for,
    deals_visible_to,
    leads_for_deals,
    stages_for_new_deals,
    stages_to_move_to,
)


class DealSerializer(LimitedRelationsSerializer, serializers.ModelSerializer):
    """A deal; a rep ties it to one of their own leads only, and owns it (DOMAIN.md "Roles")."""

    company = serializers.PrimaryKeyRelatedField(
        source="account",
        queryset=Company.objects.none(),
        required=False,
        allow_null=True,
        help_text="The id of the deal's company. On creation it defaults to the lead's company, else the company "
        "of the contact's email domain or of `company_name`.",
    )
    company_name = serializers.CharField(
        source="company",
        max_length=Deal._meta.get_field("company").max_length,
        required=False,
        allow_blank=True,
        help_text="The company as typed.",
    )
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.none(),
        required=False,
        help_text="Open stage to start in (creation only; default: the first stage). Use the move action later.",
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "lead",
            "company",
            "company_name",
            "contact_name",
            "contact_email",
            "amount",
            "stage",
            "stage_name",
            "position",
            "owner",
            "expected_close_date",
            "source_campaign",
            "next_step",
            "forecast_category",
            "created_at",
            "updated_at",
            "stage_changed_at",
            "last_activity_at",
            "closed_at",
            "lost_reason",
            "close_note",
        ]
        read_only_fields = [
            "position",
            "created_at",
            "updated_at",
            "stage_changed_at",
            "last_activity_at",
            "closed_at",
            "lost_reason",
            "close_note",
        ]
        extra_kwargs = {
            "lead": {"help_text": "A lead you own (managers: any lead), not one waiting in an MQL inbox."},
            "owner": {"required": False, "help_text": "Defaults to you; only managers give deals to others."},
            "source_campaign": {"help_text": "A campaign that is not archived."},
            "amount": {"min_value": 0},
        }

    def relation_choices(self, user):
        return {
            "lead": leads_for_deals(user),
            "company": companies_visible_to(user),
            "owner": deal_owners_for(user),
            "source_campaign": campaigns_usable_by(user),
            "stage": stages_for_new_deals(),
        }

    def validate_stage(self, stage):
        if self.instance is not None and stage != self.instance.stage:
            raise ValidationError("Use the move action to change a deal's stage.")
        return stage


class DealMoveSerializer(LimitedRelationsSerializer, serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.none(), help_text="A stage of the deal's pipeline."
    )
    position = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_POSITION,
        help_text="0-based place in the target column.",
    )
    lost_reason = serializers.ChoiceField(
        choices=[choice for choice in LOST_REASON_CHOICES if choice[0]],
        required=False,
        allow_blank=True,
        help_text="Required when moving to a lost stage.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def relation_choices(self, user):
        deal = self.context.get("deal")
        return {"stage": stages_to_move_to(deal) if deal is not None else Stage.objects.none()}


@contextmanager
def _refusals_as_api_errors():
    """A deal service's refusal as the API answers it: 403 for a reassignment, 400 for invalid fields."""
    try:
        yield
    except services.DealReassignNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise as_api_error(exc) from exc


class DealViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Deals: every role reads them; reps create deals and edit and move their own; managers all deals."""

    serializer_class = DealSerializer
    permission_classes = [role_permission(write=(SALES_REP, MANAGER))]
    filterset_class = DealFilter

    def get_queryset(self):
        return deals_visible_to(self.request.user).select_related("stage").order_by("-created_at", "-id")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not can_edit_deal(request.user, obj):
            raise PermissionDenied("You can only change your own deals.")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        with _refusals_as_api_errors():
            serializer.instance = services.create_deal(
                by=self.request.user, owner=data.pop("owner", None), stage=data.pop("stage", None), **data
            )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("stage", None)
        with _refusals_as_api_errors():
            serializer.instance = services.update_deal(
                deal=serializer.instance, by=self.request.user, owner=data.pop("owner", None), **data
            )

    @extend_schema(request=DealMoveSerializer, responses=DealSerializer, summary="Move a deal to a stage")
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the deal to `stage` (at `position` in its column); a lost stage needs a `lost_reason`."""
        deal = self.get_object()
        params = DealMoveSerializer(data=request.data, context={**self.get_serializer_context(), "deal": deal})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            deal = services.move_deal(
                deal=deal,
                to_stage=data["stage"],
                by=request.user,
                position=data.get("position"),
                lost_reason=data.get("lost_reason", ""),
                note=data.get("note", ""),
            )
        except services.DealMoveNotAllowed as exc:
            raise ValidationError({"stage": [str(exc)]}) from exc
        return Response(DealSerializer(deal, context=self.get_serializer_context()).data)
