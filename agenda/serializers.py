from django.contrib.auth import get_user_model
from rest_framework import serializers

from agenda.access import can_add_tasks_on_deals, task_assignees_for
from agenda.models import Task
from companies.selectors import companies_visible_to
from crm.bounds import validate_date_in_range
from crm.relations import LimitedRelationsSerializer
from deals.models import Deal
from deals.selectors import deals_visible_to
from leads.selectors import leads_visible_to

RECORD_FIELDS = ("lead", "deal", "company")


class TaskSerializer(LimitedRelationsSerializer, serializers.ModelSerializer):
    """A task on exactly one lead, deal or company (set when it is created, not changed after), for an
    assignee: yourself, or anyone with a role if you are a manager."""

    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Defaults to you; only managers give tasks to others (any active user with a role).",
    )
    done = serializers.SerializerMethodField(help_text="Whether the task is done (`done_at` says when).")

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "note",
            "lead",
            "deal",
            "company",
            "assignee",
            "created_by",
            "due_at",
            "done",
            "done_at",
            "done_by",
            "reminded_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "done_at", "done_by", "reminded_at", "created_at", "updated_at"]
        extra_kwargs = {
            "lead": {"help_text": "The lead the task is on (give exactly one of lead, deal and company)."},
            "deal": {"help_text": "The deal the task is on (marketers add tasks on leads and companies only)."},
            "company": {"help_text": "The company the task is on."},
            "done_by": {"help_text": "Who ticked it done (an id)."},
            "due_at": {"validators": [validate_date_in_range], "help_text": "When it is due; reminded then."},
        }

    def relation_choices(self, user):
        return {
            "lead": leads_visible_to(user),
            "deal": deals_visible_to(user) if can_add_tasks_on_deals(user) else Deal.objects.none(),
            "company": companies_visible_to(user),
            "assignee": task_assignees_for(user),
        }

    def get_done(self, task) -> bool:
        return task.done_at is not None

    def validate(self, attrs):
        given = [name for name in RECORD_FIELDS if attrs.get(name) is not None]
        if len(given) != 1:
            message = ["Give exactly one of lead, deal and company."]
            raise serializers.ValidationError(dict.fromkeys(given or RECORD_FIELDS, message))
        return attrs


class TaskUpdateSerializer(TaskSerializer):
    """A task as PATCH changes it: its title, note, due time and assignee; it stays on its record."""

    class Meta(TaskSerializer.Meta):
        read_only_fields = [*TaskSerializer.Meta.read_only_fields, *RECORD_FIELDS]

    def validate(self, attrs):
        return attrs
