"""My day: a rep's home page, what to do today in the order to do it, each row answered in place."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from agenda.forms import CloseDateForm
from agenda.selectors import TEAM, my_day, sales_reps, whose_day
from crm.htmx import render_page
from crm.roles import MANAGER, SALES_REP, is_manager, role_required
from deals.forms import ActivityForm
from deals.selectors import deal_for_user
from deals.services import log_activity, update_deal
from handoff.forms import RejectForm

PAGE = "agenda/my_day.html"


@require_GET
@role_required(SALES_REP, MANAGER)
def my_day_page(request):
    """A rep's own day; a manager's, or any rep's (`?rep=<id>`), or the team's (`?rep=team`)."""
    reps = list(sales_reps()) if is_manager(request.user) else []
    rep = whose_day(request.user, request.GET.get("rep", ""), reps)
    context = {"day": my_day(rep), "reps": reps, "team": TEAM}
    return render_page(request, PAGE, context | {"reject_form": RejectForm(), "activity_form": ActivityForm()})


@require_POST
@role_required(SALES_REP, MANAGER)
def log_deal_activity(request, pk):
    """Log a call, meeting, email... on a rotting deal from its My day row: it is fresh again."""
    deal = deal_for_user(request.user, pk, write=True)
    form = ActivityForm(request.POST)
    done = ""
    if form.is_valid():
        activity = log_activity(deal=deal, by=request.user, **form.cleaned_data)
        done = f"{activity.get_kind_display()} logged: fresh again"
    return _deal_row(request, deal=deal, kind="rotting", form=form, done=done)


@require_POST
@role_required(SALES_REP, MANAGER)
def move_close_date(request, pk):
    """Give a deal past its expected close date a new one, from its My day row (the owner or a manager)."""
    deal = deal_for_user(request.user, pk, write=True)
    form = CloseDateForm(request.POST)
    done = ""
    if form.is_valid():
        deal = update_deal(deal=deal, by=request.user, **form.cleaned_data)
        done = f"now expected {deal.expected_close_date:%-d %b %Y}"
    return _deal_row(request, deal=deal, kind="past-close", form=form, done=done)


def _deal_row(request, *, deal, kind: str, form, done: str):
    """The deal's row again for htmx: what was done, or the form's error (200: htmx swaps only 2xx answers).
    Without htmx, back to My day with a message."""
    if request.htmx:
        context = {"deal": deal, "kind": kind, "form": form, "done": done, "activity_form": ActivityForm()}
        return render_page(request, PAGE, context, partial="deal_row")
    if done:
        messages.success(request, f"{deal}: {done}.")
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("agenda:my_day")
