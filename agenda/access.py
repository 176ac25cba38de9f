"""Who may see, create and change tasks. A task is seen by whoever may see the record it is on; it is
changed (edited, ticked done, snoozed) by its assignee, its creator and managers."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from agenda.models import Task
from companies.selectors import companies_visible_to
from crm.roles import MANAGER, MARKETER, ROLES, SALES_REP, has_role, is_manager
from deals.selectors import deals_visible_to
from leads.selectors import leads_visible_to


def tasks_visible_to(user):
    """The tasks on the leads, deals and companies `user` may see (every role sees every record today, so
    every task; a user without a role sees none)."""
    if not has_role(user, *ROLES):
        return Task.objects.none()
    return Task.objects.filter(
        _on_one_of("lead", leads_visible_to(user))
        | _on_one_of("deal", deals_visible_to(user))
        | _on_one_of("company", companies_visible_to(user))
    )


def _on_one_of(field: str, visible) -> Q:
    """Tasks on a record of `visible`. When that is the whole table (no condition), no subquery: an
    `IN (SELECT id FROM leads_lead)` would read a million leads for every list of tasks."""
    if not visible.query.where:
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__in": visible.values("pk")})


def can_edit_task(user, task: Task) -> bool:
    """The assignee, the creator and managers change a task; everyone else who sees it only reads it."""
    return is_manager(user) or (has_role(user, *ROLES) and user.pk in (task.assignee_id, task.created_by_id))


def task_for_user(user, pk, *, write=False, queryset=None) -> Task:
    """The task `pk` as `user` may use it: 404 when they may not see it, 403 when they may only read."""
    try:
        task = (queryset if queryset is not None else tasks_visible_to(user)).get(pk=pk)
    except Task.DoesNotExist:
        raise Http404("No such task.") from None
    if write and not can_edit_task(user, task):
        raise PermissionDenied
    return task


def can_add_tasks_on(user, record) -> bool:
    """Managers and sales reps add tasks on any record they see; marketers on leads and companies only."""
    if record._meta.model_name == "deal":
        return can_add_tasks_on_deals(user)
    return has_role(user, MARKETER, SALES_REP, MANAGER)


def can_add_tasks_on_deals(user) -> bool:
    return has_role(user, SALES_REP, MANAGER)


def task_assignees_for(user):
    """Whom `user` may give a task: a manager any active user who holds a role, anyone else only themselves."""
    users = get_user_model().objects.filter(is_active=True)
    if is_manager(user):
        with_role = users.filter(Q(groups__name__in=ROLES) | Q(is_superuser=True)).distinct()
        return with_role.order_by("first_name", "username")
    if has_role(user, *ROLES):
        return users.filter(pk=user.pk)
    return users.none()


# How many done tasks a record's panel lists under its open ones.
RECENTLY_DONE = 5


def tasks_on(user, record) -> dict:
    """A record's tasks as its panel lists them: every open one by due time, and the latest done."""
    tasks = tasks_visible_to(user).filter(**{record._meta.model_name: record}).for_rows()
    return {
        "open_tasks": list(tasks.open().order_by("due_at", "id")),
        "done_tasks": list(tasks.filter(done_at__isnull=False).order_by("-done_at", "-id")[:RECENTLY_DONE]),
    }
