"""The sales rep's MQL inbox: accept or reject each lead marketing handed over, within the SLA."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from crm.bounds import parse_id
from crm.htmx import render_message, render_page
from crm.people import display_name
from crm.roles import MANAGER, SALES_REP, has_role, is_manager, role_required
from handoff.forms import RejectForm
from handoff.models import Handoff, HandoffFailure
from handoff.selectors import handoffs_visible_to
from handoff.services import HandoffError, accept_mql, reject_mql, retry_failed_handoff


@require_GET
@role_required(SALES_REP, MANAGER)
def inbox(request):
    handoffs = handoffs_visible_to(request.user)
    rep_id = request.GET.get("rep", "")
    if is_manager(request.user) and parse_id(rep_id) is not None:
        handoffs = handoffs.filter(rep_id=parse_id(rep_id))
    pending = Paginator(handoffs.filter(outcome=Handoff.Outcome.PENDING).order_by("due_at", "pk"), 25)
    context = {
        "pending": pending.get_page(request.GET.get("page")),
        "answered": handoffs.exclude(outcome=Handoff.Outcome.PENDING)
        .select_related("deal")
        .order_by("-responded_at", "-pk")[:10],
        "reject_form": RejectForm(),
        "reps": get_user_model().objects.filter(groups__name=SALES_REP).order_by("username")
        if is_manager(request.user)
        else None,
        "rep_id": rep_id,
        # Managers hear of a failed hand-over by a notification, and find the list from here.
        "failed_handoffs": HandoffFailure.objects.count() if is_manager(request.user) else 0,
    }
    return render(request, "handoff/inbox.html", context)


def _answered(request, handoff, message):
    """After an accept or reject: the row's new state for htmx, or back to the inbox."""
    if request.htmx:
        context = {"handoff": handoff, "message": message}
        return render_page(request, "handoff/inbox.html", context, partial="answered_row")
    messages.success(request, message)
    return redirect("handoff:inbox")


@require_POST
def accept(request, pk):
    if not has_role(request.user, SALES_REP, MANAGER):
        raise PermissionDenied
    try:
        handoff = accept_mql(handoff_id=pk, by=request.user, note=request.POST.get("note", "")[:2000])
    except HandoffError as exc:
        return _refused(request, exc)
    return _answered(request, handoff, f"Accepted {handoff.lead}: now a sales-qualified lead.")


@require_POST
def reject(request, pk):
    if not has_role(request.user, SALES_REP, MANAGER):
        raise PermissionDenied
    form = RejectForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(error for field_errors in form.errors.values() for error in field_errors)
        return _refused(request, HandoffError(errors))
    try:
        handoff = reject_mql(
            handoff_id=pk,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            disqualify=form.cleaned_data["outcome"] == "disqualify",
        )
    except HandoffError as exc:
        return _refused(request, exc)
    where = "disqualified" if handoff.lead.stage == "disqualified" else "sent back to marketing for nurture"
    return _answered(request, handoff, f"Rejected {handoff.lead} ({handoff.get_rejection_reason_display()}): {where}.")


def _refused(request, error):
    if request.htmx:
        return render_message(request, "handoff/inbox.html#refused", {"error": str(error)}, status=409)
    messages.error(request, str(error))
    return redirect("handoff:inbox")


# --- Hand-overs that failed ------------------------------------------------------------------------------


@require_GET
@role_required(MANAGER)
def failed_handoffs(request):
    """Managers see every qualified lead whose hand-over raised: the error, how often, when Relay tries
    again, and a button to try now."""
    failures = HandoffFailure.objects.select_related("lead", "lead__first_touch_campaign").order_by("-last_failed_at")
    page = Paginator(failures, 25).get_page(request.GET.get("page"))
    return render(request, "handoff/failed_handoffs.html", {"failures": page})


@require_POST
@role_required(MANAGER)
def retry_handoff(request, pk):
    """Try the failed hand-over of lead `pk` now; the list says whether it went through, and why not."""
    try:
        handoff = retry_failed_handoff(lead_id=pk)
    except HandoffError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{handoff.lead} was handed over to {display_name(handoff.rep)}.")
    return redirect("handoff:failed_handoffs")
