"""A lead's company record: find a company by name or domain and link the lead to it, or unlink it."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from companies.filters import search_companies
from companies.models import Company
from crm.htmx import render_page
from leads import selectors
from leads.forms import LinkCompanyForm
from leads.services.accounts import link_lead, unlink_lead

CANDIDATES = 10


@require_http_methods(["GET", "POST"])
def lead_company(request, pk):
    """GET: the companies matching ?q= (name, domain or other name; htmx refreshes them as one types), or the
    company of the lead's email domain. POST: link to `company`, or `unlink`. Marketers and managers."""
    lead = selectors.lead_for_user(request.user, pk, write=True)
    form = LinkCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = form.cleaned_data["company"]
        if company is None:
            unlink_lead(lead=lead)
            messages.success(request, f"{lead} is no longer linked to a company.")
        else:
            link_lead(lead=lead, company=company)
            messages.success(request, f"{lead} now works at {company}.")
        return redirect(lead)
    q = request.GET.get("q", "").strip()[:200]
    context = {"lead": lead, "q": q, "form": form, "candidates": _candidates(lead, q)}
    status = 400 if form.errors else None
    return render_page(request, "leads/lead_company.html", context, partial="candidates", status=status)


def _candidates(lead, q: str) -> list[Company]:
    """The companies the search finds, else those named as the lead typed their company."""
    companies = Company.objects.prefetch_related("domains").order_by("-people_count", "id")
    found = search_companies(companies, q) if q else companies.named(lead.company) if lead.company else companies.none()
    return list(found[:CANDIDATES])
