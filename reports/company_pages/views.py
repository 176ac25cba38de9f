"""The company list, the company page (people, deals, timeline), creating, editing and merging companies, and
unlinking a person from one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.exports import companies_export
from companies.filters import CompanyFilter, search_companies
from companies.models import Company
from companies.selectors import (
    can_create_companies,
    can_edit_company,
    can_merge_companies,
    companies_visible_to,
    company_for_user,
)
from companies.services import create_company, merge_companies, update_company
from crm.history import audit_context
from crm.htmx import render_page, wants_fragment
from crm.roles import MANAGER, MARKETER, ROLES, is_manager, role_required
from leads.selectors import can_edit_leads
from leads.services.accounts import unlink_lead
from reports.company_pages import selectors
from reports.company_pages.forms import CompanyForm, MergeForm, PersonForm

MERGE_CANDIDATES = 10


@require_GET
@role_required(*ROLES)
def company_list(request):
    """Search, filter and sort the companies by their roll-ups, a page at a time (fast with 200,000)."""
    listed = CompanyFilter(request.GET or None, queryset=companies_visible_to(request.user), request=request)
    number = selectors.page_number(request.GET.get("page"))
    context = {
        "form": listed.form,
        "page": selectors.company_page(listed.qs, sort=listed.chosen_sort, number=number),
        "filtered": listed.filtered,
        "can_create": can_create_companies(request.user),
    }
    return render_page(request, "companies/company_list.html", context, partial="results")


@require_GET
@role_required(*ROLES)
def company_export(request, fmt):
    """The filtered list, in its order, as CSV (streamed) or as an Excel workbook; every role reads companies."""
    listed = CompanyFilter(request.GET or None, queryset=companies_visible_to(request.user), request=request)
    return companies_export(fmt, listed.qs, sort=listed.chosen_sort)


@require_GET
@role_required(*ROLES)
def company_detail(request, pk):
    """Who the company is, its people, its deals with their totals and one timeline of all that happened there.
    htmx asking for older entries (?before=) gets the timeline alone."""
    visible = selectors.company_with_details(companies_visible_to(request.user))
    company = company_for_user(request.user, pk, queryset=visible)
    timeline = selectors.company_timeline(company, before=selectors.timeline_cursor(request.GET.get("before")))
    context = {"company": company, "timeline": timeline, "timeline_full": len(timeline) == selectors.TIMELINE_LIMIT}
    if wants_fragment(request):
        return render_page(request, "companies/company_detail.html", context, partial="timeline")
    return render(request, "companies/company_detail.html", context | _page_context(request, company))


def _page_context(request, company: Company) -> dict:
    user = request.user
    return {
        "people": selectors.people_of(company),
        "people_count": company.people.count(),
        "deals": selectors.deals_of(company),
        "totals": selectors.deal_totals(company),
        "merges": list(company.merges.select_related("by")) if is_manager(user) else None,
        "can_edit": can_edit_company(user, company),
        "can_merge": can_merge_companies(user),
        "can_link": can_edit_leads(user),
        **audit_context(user, company),
    }


@require_http_methods(["GET", "POST"])
@role_required(MARKETER, MANAGER)
def company_create(request):
    form = CompanyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = form.service_kwargs()
        try:
            company = create_company(domains=changes["add_domains"], **changes["data"])
        except ValueError as exc:
            form.add_error("add_domains", str(exc))
        else:
            messages.success(request, f"Company {company} created.")
            return redirect(company)
    return render(request, "companies/company_form.html", {"form": form, "title": "New company"})


@require_http_methods(["GET", "POST"])
def company_edit(request, pk):
    """Marketers and managers edit any company, a sales rep the companies they own."""
    company = company_for_user(request.user, pk, write=True)
    form = CompanyForm(request.POST or None, instance=company, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            update_company(company=company, **form.service_kwargs())
        except ValueError as exc:
            form.add_error("add_domains", str(exc))
        else:
            messages.success(request, "Company saved.")
            return redirect(company)
    context = {"form": form, "title": f"Edit {company}", "company": company}
    return render(request, "companies/company_form.html", context)


@require_http_methods(["GET", "POST"])
@role_required(MARKETER, MANAGER)
def company_merge(request, pk):
    """Merge a duplicate into this company: find it (?q=, htmx refreshes the candidates), confirm it (?merge=),
    then POST. Its people, deals, domains and names move here; the duplicate is gone."""
    keep = company_for_user(request.user, pk, write=True)
    form = MergeForm(
        request.POST if request.method == "POST" else (request.GET if "merge" in request.GET else None), keep=keep
    )
    if request.method == "POST" and form.is_valid():
        try:
            merge_companies(keep=keep, merge=form.cleaned_data["merge"], by=request.user)
        except ValueError as exc:
            form.add_error("merge", str(exc))
        else:
            messages.success(request, f"{form.cleaned_data['merge']} was merged into {keep}.")
            return redirect(keep)
    context = {"company": keep, "form": form, "q": request.GET.get("q", ""), "candidates": _candidates(keep, request)}
    status = 400 if form.errors and request.method == "POST" else None
    return render_page(request, "companies/company_merge.html", context, partial="candidates", status=status)


def _candidates(keep: Company, request) -> list[Company]:
    """The search's companies, else those with the same name as `keep` (the likely duplicates)."""
    others = companies_visible_to(request.user).exclude(pk=keep.pk).prefetch_related("domains")
    text = request.GET.get("q", "").strip()[:200]
    found = search_companies(others, text) if text else others.filter(name_key=keep.name_key)
    return list(found.order_by("-people_count", "id")[:MERGE_CANDIDATES])


@require_POST
@role_required(MARKETER, MANAGER)
def company_unlink_person(request, pk):
    """Take a person off the company (their typed company name stays); marketers and managers."""
    company = company_for_user(request.user, pk)
    form = PersonForm(request.POST)
    lead = get_object_or_404(company.people, pk=form.cleaned_data["lead"]) if form.is_valid() else None
    if lead is None:
        messages.error(request, "Choose a person of this company.")
        return redirect(company)
    unlink_lead(lead=lead)
    messages.success(request, f"{lead} is no longer listed at {company}.")
    return redirect(company)
