"""Which tasks a list shows: the API's query parameters and the task list page's filters, one definition.

The API reads every filter by its API name (`assignee` an id) and answers 400 to a value it cannot read; the
page (`TaskListFilter`) reads whose tasks as "team" or a rep (a rep's own, fixed, whatever is asked), starts
from the open tasks, and keeps a filter's default (showing the error) for a value it cannot read.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from agenda.models import Task
from agenda.selectors import TEAM, assigned_to, sales_reps, start_of_tomorrow
from crm.bounds import validate_date_in_range
from crm.people import display_name
from crm.roles import is_manager
from deals.forms import DealFilterForm

OPEN, OVERDUE, TODAY, DONE = "open", "overdue", "today", "done"
STATUSES = [
    (OPEN, "Open"),
    (OVERDUE, "Overdue"),
    (TODAY, "Due today (and overdue)"),
    (DONE, "Done"),
]
RECORD_KINDS = [("lead", "Leads"), ("deal", "Deals"), ("company", "Companies")]
MAX_SEARCH_LENGTH = 200


def with_status(queryset, status: str, *, now=None):
    """Tasks of `status`: open ones, the open ones past due, those due by tonight in the site's time zone
    (overdue ones too: My day's tasks), or done ones."""
    now = now or timezone.now()
    if status == DONE:
        return queryset.done()
    if status == OVERDUE:
        return queryset.open().filter(due_at__lt=now)
    if status == TODAY:
        return queryset.open().filter(due_at__lt=start_of_tomorrow(now))
    return queryset.open()


def in_list_order(queryset, status: str):
    """Done tasks the latest done first; open ones the soonest due first."""
    return queryset.order_by("-done_at", "-id") if status == DONE else queryset.order_by("due_at", "id")


class TaskFilter(django_filters.FilterSet):
    assignee = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.all(), help_text="Tasks of this user (an id)."
    )
    due_before = django_filters.DateTimeFilter(
        field_name="due_at",
        lookup_expr="lt",
        validators=[validate_date_in_range],
        help_text="Tasks due before this time (ISO 8601; without a zone, in the site's time zone).",
    )
    done = django_filters.BooleanFilter(method="filter_done", help_text="true: done tasks; false: open ones.")
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=STATUSES,
        method="filter_status",
        help_text="open, overdue, today (due by tonight, overdue ones too) or done.",
    )
    record = django_filters.ChoiceFilter(
        label="Record",
        choices=RECORD_KINDS,
        method="filter_record",
        empty_label="Any record",
        help_text="lead, deal or company: tasks on that kind of record.",
    )
    q = django_filters.CharFilter(
        label="Search",
        field_name="title",
        lookup_expr="icontains",
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words in the title"}),
        help_text="Tasks whose title holds this text.",
    )

    class Meta:
        model = Task
        fields = ["assignee", "due_before", "done", "status", "record", "q"]

    def filter_done(self, queryset, name, value):
        return queryset.filter(done_at__isnull=not value)

    def filter_status(self, queryset, name, value):
        return with_status(queryset, value)

    def filter_record(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})


class TaskListFilter(TaskFilter):
    """The task list page's filters. A manager picks the team's tasks (every sales rep's, the default) or one
    rep's; anyone else sees their own. The status is one of the four (open by default)."""

    due_before = done = None  # the API's only
    assignee = django_filters.ChoiceFilter(label="Assignee", method="filter_assignee", empty_label=None)
    status = django_filters.ChoiceFilter(label="Status", choices=STATUSES, method="filter_status", empty_label=None)

    class Meta:
        model = Task
        fields = ["assignee", "status", "record", "q"]
        form = DealFilterForm

    DEFAULTS = {"status": OPEN, "assignee": TEAM}

    def __init__(self, data, queryset, *, request):
        data = data.copy()
        for name, default in self.DEFAULTS.items():
            data[name] = data.get(name) or default
        if not is_manager(request.user):
            queryset = queryset.filter(assignee=request.user)
        super().__init__(data, queryset, request=request)
        if is_manager(request.user):
            people = list(sales_reps())
            if request.user not in people:  # a manager's own tasks (My day's link for their own day)
                people.append(request.user)
            choices = [(TEAM, "Team"), *((str(person.pk), display_name(person)) for person in people)]
            self.filters["assignee"].extra["choices"] = choices
        else:
            del self.filters["assignee"]

    @property
    def form(self):
        built = hasattr(self, "_form")
        form = super().form
        if not built:
            for name, field in form.fields.items():
                field.initial = self.DEFAULTS.get(name)
                field.help_text = ""  # the API's documentation, not the page's
        return form

    def filter_assignee(self, queryset, name, value):
        if value == TEAM:
            return assigned_to(queryset, None)
        return queryset.filter(assignee_id=int(value))

    @property
    def chosen_status(self) -> str:
        self.form.is_valid()
        return self.form.cleaned_data.get("status") or OPEN

    @property
    def listed(self):
        """The tasks the filters leave, in the list's order."""
        return in_list_order(self.qs, self.chosen_status)
