"""The managers' list of personal email domains: the email domains that name no company."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from companies.forms import PersonalDomainForm
from companies.models import PersonalEmailDomain
from companies.services import add_personal_domain, remove_personal_domain
from crm.roles import MANAGER, role_required

PAGE_SIZE = 50


@require_http_methods(["GET"])
@role_required(MANAGER)
def personal_domain_list(request, form=None):
    query = request.GET.get("q", "").strip()[:253]
    domains = PersonalEmailDomain.objects.select_related("added_by").order_by("domain")
    if query:
        domains = domains.filter(domain__icontains=query.lower())
    page = Paginator(domains, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "form": form or PersonalDomainForm()}
    return render(request, "companies/personal_domains.html", context, status=400 if form else 200)


@require_POST
@role_required(MANAGER)
def personal_domain_add(request):
    form = PersonalDomainForm(request.POST)
    if not form.is_valid():
        request.method = "GET"
        return personal_domain_list(request, form=form)
    row = add_personal_domain(by=request.user, **form.cleaned_data)
    messages.success(request, f"{row.domain} is now on the list as {row.get_kind_display().lower()}.")
    return redirect("personal_domains:list")


@require_POST
@role_required(MANAGER)
def personal_domain_remove(request, pk):
    row = get_object_or_404(PersonalEmailDomain, pk=pk)
    remove_personal_domain(row=row)
    messages.success(request, f"{row.domain} was removed from the list.")
    return redirect("personal_domains:list")
