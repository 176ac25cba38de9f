"""The task panel of a lead, deal or company page: loaded by htmx, it lists the record's tasks and adds one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from agenda import services
from agenda.access import can_add_tasks_on, tasks_on
from agenda.forms import TaskForm
from companies.selectors import company_for_user
from crm.htmx import render_page
from crm.roles import ROLES, role_required
from deals.selectors import deal_for_user
from leads.selectors import lead_for_user

# How each kind of record is loaded for the person asking (404 when they may not see it).
RECORD_FOR_USER = {"lead": lead_for_user, "deal": deal_for_user, "company": company_for_user}


@role_required(*ROLES)
def record_tasks(request, kind, pk):
    """GET: the panel (htmx only; a page load goes to the record). POST: add a task, then the panel again,
    with the form's errors if it was refused."""
    record = RECORD_FOR_USER[kind](request.user, pk)
    if not request.htmx and request.method == "GET":
        return redirect(record)
    can_add = can_add_tasks_on(request.user, record)
    form = TaskForm(user=request.user)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        posted = TaskForm(request.POST, user=request.user)
        if not _add_task(request, record, posted):
            form = posted  # its errors and what was typed
        elif not request.htmx:
            return redirect(record)
    context = {"record": record, "kind": kind, "panel_url": request.path, "form": form if can_add else None}
    context.update(tasks_on(request.user, record))
    return render_page(request, "agenda/partials/task_panel.html", context)


def _add_task(request, record, form) -> bool:
    """Add the task the valid `form` describes on `record`; False, with the reason on the form, if refused."""
    if not form.is_valid():
        return False
    try:
        task = services.create_task(by=request.user, **{record._meta.model_name: record}, **form.task_fields())
    except (services.TaskNotAllowed, ValidationError) as exc:
        form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        return False
    if not request.htmx:
        messages.success(request, f"Task “{task.title}” added.")
    return True
