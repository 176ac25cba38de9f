"""The tasks REST API: list (filtered by assignee, due time, status, record and title), read, create, change, tick
done."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from agenda import services
from agenda.access import can_edit_task, tasks_visible_to
from agenda.filters import TaskFilter
from agenda.serializers import TaskSerializer, TaskUpdateSerializer
from crm.api_errors import as_api_error
from crm.roles import ROLES, role_permission


def _as_api_errors(call):
    """A task service's refusal as the API answers it: 403 for a task the user may not add or give, 400 for
    invalid fields."""
    try:
        return call()
    except services.TaskNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise as_api_error(exc) from exc


@extend_schema_view(
    list=extend_schema(summary="List tasks, soonest due first (filter by assignee, due time, status, record, title)"),
    retrieve=extend_schema(summary="One task"),
    create=extend_schema(summary="Add a task on a lead, a deal or a company"),
    partial_update=extend_schema(summary="Change a task's title, note, due time or assignee"),
)
class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Every role reads the tasks on the records it sees and adds its own; the assignee, the creator and
    managers change a task."""

    serializer_class = TaskSerializer
    permission_classes = [role_permission(write=ROLES)]
    filterset_class = TaskFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return TaskUpdateSerializer if self.action == "partial_update" else TaskSerializer

    def get_queryset(self):
        return tasks_visible_to(self.request.user).select_related("lead", "deal", "company").order_by("due_at", "id")

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not can_edit_task(request.user, obj):
            raise PermissionDenied("Only the task's assignee, its creator and managers change it.")

    def perform_create(self, serializer):
        serializer.instance = _as_api_errors(
            lambda: services.create_task(by=self.request.user, **serializer.validated_data)
        )

    def perform_update(self, serializer):
        changes = {
            name: serializer.validated_data[name]
            for name in services.EDITABLE_FIELDS
            if name in serializer.validated_data
        }
        serializer.instance = _as_api_errors(
            lambda: services.update_task(task=serializer.instance, by=self.request.user, **changes)
        )

    @extend_schema(
        request=None, responses=TaskSerializer, summary="Mark a task done (once; done again changes nothing)"
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        task = services.complete_task(task=self.get_object(), by=request.user)
        return Response(self.get_serializer(task).data)
