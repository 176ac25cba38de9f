"""My day: a rep's home page, what to do today in the order to do it, each row answered in place."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from agenda.forms import CloseDateForm
from agenda.selectors import TEAM, my_day, sales_reps, whose_day
from crm.htmx import render_page
from crm.roles import MANAGER, SALES_REP, is_manager, role_required
from deals.selectors import deal_for_user
from deals.services import update_deal
from handoff.forms import RejectForm

PAGE = "agenda/my_day.html"


@require_GET
@role_required(SALES_REP, MANAGER)
def my_day_page(request):
    """A rep's own day; a manager's, or any rep's (`?rep=<id>`), or the team's (`?rep=team`)."""
    reps = list(sales_reps()) if is_manager(request.user) else []
    rep = whose_day(request.user, request.GET.get("rep", ""), reps)
    context = {"day": my_day(rep), "reps": reps, "team": TEAM, "reject_form": RejectForm()}
    return render_page(request, PAGE, context)


@require_POST
@role_required(SALES_REP, MANAGER)
def move_close_date(request, pk):
    """Give a deal past its expected close date a new one, from its My day row (the owner or a manager)."""
    deal = deal_for_user(request.user, pk, write=True)
    form = CloseDateForm(request.POST)
    if form.is_valid():
        deal = update_deal(deal=deal, by=request.user, **form.cleaned_data)
    if request.htmx:  # the row again: moved, or the form with its error (200: htmx swaps only 2xx answers)
        context = {"deal": deal, "kind": "past-close", "close_form": form, "moved": form.is_valid()}
        return render_page(request, PAGE, context, partial="deal_row")
    if form.is_valid():
        messages.success(request, f"{deal} is now expected to close on {deal.expected_close_date:%-d %b %Y}.")
    else:
        messages.error(request, " ".join(form.errors["expected_close_date"]))
    return redirect("agenda:my_day")
