"""My day: a rep's home page, what to do today in the order to do it, each row answered in place."""

from django.views.decorators.http import require_GET

from agenda.selectors import TEAM, my_day, sales_reps, whose_day
from crm.htmx import render_page
from crm.roles import MANAGER, SALES_REP, is_manager, role_required
from handoff.forms import RejectForm


@require_GET
@role_required(SALES_REP, MANAGER)
def my_day_page(request):
    """A rep's own day; a manager's, or any rep's (`?rep=<id>`), or the team's (`?rep=team`)."""
    reps = list(sales_reps()) if is_manager(request.user) else []
    rep = whose_day(request.user, request.GET.get("rep", ""), reps)
    context = {"day": my_day(rep), "reps": reps, "team": TEAM, "reject_form": RejectForm()}
    return render_page(request, "agenda/my_day.html", context)
