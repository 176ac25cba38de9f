"""The targets page: a period's targets and their history for every role; the form that sets them, for managers."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from crm.htmx import render_page
from crm.roles import MANAGER, ROLES, is_manager, role_required
from goals.forms import PeriodForm, TargetsForm
from goals.selectors import (
    listed_targets,
    period_history,
    period_label,
    previous_period,
    quota_reps,
    targets_of_period,
)
from goals.services import set_targets


def _period_url(kind, start) -> str:
    return f"{reverse('goals:targets')}?{urlencode({'kind': kind, 'start': start.isoformat()})}"


@require_GET
@role_required(*ROLES)
def targets(request):
    picker = PeriodForm(request.GET)
    kind, start = picker.chosen()
    context = {
        "picker": picker,
        "kind": kind,
        "start": start,
        "label": period_label(kind, start),
        "previous": previous_period(start, kind),
        "targets": listed_targets(kind, start),
        "history": period_history(kind, start),
        "can_edit": is_manager(request.user),
    }
    return render_page(request, "goals/targets.html", context, status=400 if picker.errors else None)


@require_http_methods(["GET", "POST"])
@role_required(MANAGER)
def edit_targets(request):
    kind, start = PeriodForm(request.POST or request.GET).chosen()
    reps, source = quota_reps(kind, start), None
    if request.method == "POST":
        form = TargetsForm(request.POST, reps=reps)
        if form.is_valid():
            kind, start = form.cleaned_data["kind"], form.cleaned_data["start"]
            try:
                set_targets(by=request.user, period_kind=kind, period_start=start, values=form.values())
            except ValidationError as exc:  # another manager saved the same new target a moment before
                form.add_error(None, exc.messages)
            else:
                messages.success(request, f"Targets for {period_label(kind, start)} saved.")
                return redirect(_period_url(kind, start))
    else:
        source = previous_period(start, kind) if request.GET.get("copy") else None
        form = TargetsForm(initial=TargetsForm.initial_from(kind, start, source=source), reps=reps)
    copied = source and targets_of_period(kind, source).count()  # None: not copying
    context = {"form": form, "kind": kind, "start": start, "label": period_label(kind, start), "copied": copied}
    return render_page(request, "goals/edit.html", context, status=400 if form.errors else None)
