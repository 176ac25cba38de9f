"""Writing to a lead from its page, its deal's or its company's: pick a template or write, preview, send."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.selectors import company_for_user
from crm.bounds import parse_id
from crm.htmx import render_page
from crm.roles import ROLES, role_required
from deals.selectors import deal_for_user
from leads.forms import add_validation_errors
from leads.selectors import lead_for_user
from outreach import rendering, selectors
from outreach.forms import ComposeForm
from outreach.models import EmailKind
from outreach.sending import queue_email, refusal


@require_http_methods(["GET", "POST"])
@role_required(*ROLES)
def compose(request, pk):
    """The compose page for one lead (`?deal=` or `?company=`: the email is about that deal or company)."""
    lead = lead_for_user(request.user, pk)
    about = _about(request, lead)
    # "Use this template" without JavaScript posts the form to fill it in (a GET would put the CSRF token in the
    # address); with htmx it asks for the fields by GET, template only. Neither sends anything.
    choosing = "use_template" in request.POST
    data = request.POST if request.method == "POST" and not choosing else None
    chosen = _initial(request.user, request.POST if choosing else request.GET)
    form = ComposeForm(data, initial=chosen, lead=lead, user=request.user)
    if data is not None and form.is_valid():
        try:
            email = queue_email(lead=lead, sender=request.user, **form.cleaned_data, **about)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"“{email.subject}” to {lead} is queued: its status shows on their timeline.")
            return redirect(about["deal"] or about["company"] or lead)
    context = {"lead": lead, "form": form, "refused": refusal(lead=lead, kind=EmailKind.SALES), **about}
    context["merge_fields"] = rendering.MERGE_FIELDS
    return render_page(request, "outreach/compose.html", context, partial="fields")


def _about(request, lead) -> dict:
    """The deal (of this lead) or company the email is written from, as the query string names them."""
    deal_id, company_id = parse_id(request.GET.get("deal")), parse_id(request.GET.get("company"))
    deal = deal_for_user(request.user, deal_id) if deal_id else None
    company = company_for_user(request.user, company_id) if company_id else None
    return {
        "deal": deal if deal and deal.lead_id == lead.pk else None,
        "company": company if company and lead.account_id == company.pk else None,
    }


def _initial(user, params) -> dict:
    """The subject and body of the template chosen (`template` in `params`), to edit before sending."""
    template_id = parse_id(params.get("template"))
    template = selectors.templates_usable_by(user).filter(pk=template_id).first() if template_id else None
    if template is None:
        return {}
    return {"template": template, "subject": template.subject, "body": template.body}


@require_POST
@role_required(*ROLES)
def compose_preview(request, pk):
    """htmx: the email as it will go out to this lead, merge fields filled in, or what stops it."""
    lead = lead_for_user(request.user, pk)
    about = _about(request, lead)
    form = ComposeForm(request.POST, lead=lead, user=request.user)
    rendered = None
    if form.is_valid():
        context = rendering.merge_context(lead=lead, rep=request.user, deal=about["deal"])
        rendered = rendering.render_message(
            subject=form.cleaned_data["subject"], body=form.cleaned_data["body"], context=context
        )
    return render(request, "outreach/partials/preview.html", {"form": form, "rendered": rendered, "lead": lead})


@require_GET
@role_required(*ROLES)
def compose_for_deal(request, pk):
    """The deal page's Email button: write to the deal's person, about the deal."""
    deal = deal_for_user(request.user, pk)
    if deal.lead_id is None:
        messages.error(request, "This deal has no person to write to: tie it to a lead first.")
        return redirect(deal)
    return redirect(f"{reverse('outreach:compose', args=[deal.lead_id])}?deal={deal.pk}")


@require_GET
@role_required(*ROLES)
def compose_for_company(request, pk):
    """The company page's Email button: pick one of its people to write to."""
    company = company_for_user(request.user, pk)
    people = selectors.people_to_write_to(company)
    return render(request, "outreach/compose_company.html", {"company": company, "people": people})


@require_GET
@role_required(*ROLES)
def deal_emails(request, pk):
    """htmx panel on the deal page: the emails written about the deal, with their status."""
    deal = deal_for_user(request.user, pk)
    emails = selectors.emails_of_deal(deal)
    return render(request, "outreach/partials/deal_emails.html", {"deal": deal, "emails": emails})
