"""The targets REST API: list (filtered by period, metric and rep), read, create, change and delete targets."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from crm.api_errors import model_errors_as_400
from crm.roles import MANAGER, role_permission
from goals import services
from goals.models import Target
from goals.serializers import TargetSerializer


class TargetFilter(django_filters.FilterSet):
    class Meta:
        model = Target
        fields = ["period_start", "period_kind", "metric", "rep"]


@extend_schema_view(
    list=extend_schema(summary="List targets, latest period first (filter by period, metric and rep)"),
    retrieve=extend_schema(summary="One target"),
    create=extend_schema(summary="Set a target (managers)"),
    update=extend_schema(summary="Replace a target (managers)"),
    partial_update=extend_schema(summary="Change a target (managers)"),
    destroy=extend_schema(request=None, summary="Remove a target (managers; its history stays)"),
)
class TargetViewSet(viewsets.ModelViewSet):
    """Every role reads the targets; managers set, change and remove them."""

    serializer_class = TargetSerializer
    permission_classes = [role_permission(write=(MANAGER,))]
    filterset_class = TargetFilter
    queryset = Target.objects.select_related("rep", "set_by")

    def perform_create(self, serializer):
        with model_errors_as_400():  # a duplicate target: 400, whichever request won the race
            serializer.instance = services.save_target(by=self.request.user, target=Target(**serializer.validated_data))

    def perform_update(self, serializer):
        target = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(target, name, value)
        with model_errors_as_400():
            services.save_target(by=self.request.user, target=target)

    def perform_destroy(self, instance):
        services.remove_target(by=self.request.user, target=instance)
