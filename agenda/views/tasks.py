"""The task list, and a task's actions (done, snooze, reopen) answered with its row for htmx and by a redirect
otherwise."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from agenda import services
from agenda.access import task_for_user, tasks_visible_to
from agenda.filters import TaskListFilter
from agenda.forms import SnoozeForm
from crm.htmx import render_page
from crm.roles import ROLES, role_required

ROW_TEMPLATE = "agenda/partials/task_row.html"


def _task(request, pk):
    queryset = tasks_visible_to(request.user).for_rows()
    return task_for_user(request.user, pk, write=True, queryset=queryset)


def _answer(request, task, message: str):
    """The task's row for htmx; otherwise back where the person was (the record's page by default)."""
    if request.htmx:
        return render_page(request, ROW_TEMPLATE, {"task": task})
    messages.success(request, message)
    back = request.POST.get("next") or request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = task.record.get_absolute_url()
    return redirect(back)


@require_POST
@role_required(*ROLES)
def task_done(request, pk):
    task = services.complete_task(task=_task(request, pk), by=request.user)
    return _answer(request, task, f"Task “{task.title}” done.")


@require_POST
@role_required(*ROLES)
def task_reopen(request, pk):
    task = services.reopen_task(task=_task(request, pk), by=request.user)
    return _answer(request, task, f"Task “{task.title}” is open again.")


@require_POST
@role_required(*ROLES)
def task_snooze(request, pk):
    task = _task(request, pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        context = {"task": task, "error": "Snooze until tomorrow or next week."}
        return render_page(request, ROW_TEMPLATE, context, status=400)
    task = services.snooze_task(task=task, by=request.user, until=form.cleaned_data["until"])
    due = timezone.localtime(task.due_at)
    return _answer(request, task, f"Task “{task.title}” snoozed to {due:%a %b %-d, %H:%M}.")


# Tasks on one page of the task list.
LIST_PAGE_SIZE = 25


@require_GET
@role_required(*ROLES)
def task_list(request):
    """Every task a person may work, filtered (whose, status, record, title) and a page at a time: a manager
    the team's or one rep's, anyone else their own."""
    queryset = tasks_visible_to(request.user).for_rows()
    listed = TaskListFilter(request.GET, queryset, request=request)
    page = Paginator(listed.listed, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": listed.form, "page": page, "status": listed.chosen_status}
    return render_page(request, "agenda/task_list.html", context)
