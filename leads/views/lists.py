"""The lead list: search, filters and sort over a keyset page, its count line, and a manager's bulk actions."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import Campaign
from crm.htmx import render_page
from crm.people import display_name
from crm.roles import MANAGER, ROLES, is_manager, role_required
from leads import selectors
from leads.exports import leads_export
from leads.filters import LeadListFilter
from leads.forms import BulkActionForm
from leads.services.stages import StageChangeNotAllowed, assign_owner, change_stages


def _listed_leads(request) -> LeadListFilter:
    """The list's filters from the query string, over the leads the user may see."""
    return LeadListFilter(request.GET or None, queryset=selectors.leads_visible_to(request.user), request=request)


@role_required(*ROLES)
def lead_list(request):
    """Search, filter and sort the leads, a keyset page at a time (fast with a million of them)."""
    listed = _listed_leads(request)
    # Up to PAGE_COUNT_LIMIT the page says how many; beyond, the count line fetches `lead_count`.
    counted = selectors.exact_count(listed.qs, selectors.PAGE_COUNT_LIMIT)
    page = selectors.keyset_page(
        listed.qs.select_related("owner", "first_touch_campaign"),
        sort=listed.chosen_sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        counted=counted,
    )
    context = {
        "form": listed.form,
        "page": page,
        "count": None if counted is None else selectors.ListCount(selectors.PAGE_COUNT_LIMIT, exact=counted),
        "sort": listed.chosen_sort,
        "filtered": listed.filtered,
        "can_edit": selectors.can_edit_leads(request.user),
        "bulk_form": BulkActionForm(prefix="bulk", user=request.user) if is_manager(request.user) else None,
        "capture_campaign": Campaign.objects.active().order_by("-start_date").first() if not page.rows else None,
    }
    return render_page(request, "leads/lead_list.html", context, partial="results")


@require_GET
@role_required(*ROLES)
def lead_export(request, fmt):
    """The filtered list, in its order, as CSV (streamed) or as an Excel workbook; every role reads leads."""
    listed = _listed_leads(request)
    return leads_export(fmt, listed.qs, sort=listed.chosen_sort)


@require_GET
@role_required(*ROLES)
def lead_count(request):
    """The list's count line for the same query string, when more leads match than the page counts itself:
    exact up to EXACT_COUNT_LIMIT, an estimate marked as one above."""
    listed = _listed_leads(request)
    context = {"count": selectors.count_for_list(listed.qs), "filtered": listed.filtered}
    # Without the request: the menu's context (notifications, inbox) is not part of the line.
    return HttpResponse(render_to_string("leads/lead_list.html#count", context))


@require_POST
@role_required(MANAGER)
def lead_bulk_action(request):
    """Managers reassign the selected leads or move their stage (each move recorded by `change_stage`)."""
    form = BulkActionForm(request.POST, prefix="bulk", user=request.user)
    back = reverse("leads:lead_list") + ("?" + request.POST["next"] if request.POST.get("next") else "")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    ids, data = [lead.pk for lead in form.cleaned_data["leads"]], form.cleaned_data
    if data["action"] == "assign":
        count = assign_owner(lead_ids=ids, owner=data["owner"])
        messages.success(request, f"{count} lead(s) assigned to {display_name(data['owner'])}.")
        return redirect(back)
    try:
        count = change_stages(lead_ids=ids, to=data["stage"], by=request.user, reason=data["reason"])
    except StageChangeNotAllowed as exc:
        messages.error(request, f"No lead was moved: {exc}")
    else:
        messages.success(request, f"{count} lead(s) moved.")
    return redirect(back)
