"""One lead: its page (contact card, score, timeline), notes, and creating or editing a lead by hand."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from crm.history import audit_context
from crm.htmx import render_page
from crm.roles import MANAGER, MARKETER, ROLES, role_required
from leads import selectors
from leads.forms import LeadForm, NewLeadForm, NoteForm, add_validation_errors
from leads.models import CaptureSource
from leads.scoring.scorer import explain_score
from leads.services.capture import apply_form_submission, capture_lead, update_lead
from leads.services.notes import add_note


@role_required(*ROLES)
def lead_detail(request, pk):
    """The contact card, score, stage history and one timeline of everything that happened to the lead."""
    lead = selectors.lead_for_user(request.user, pk)
    context = {**_detail_context(request, lead, NoteForm()), **audit_context(request.user, lead)}
    return render(request, "leads/lead_detail.html", context)


def _detail_context(request, lead, note_form):
    timeline = selectors.lead_timeline(lead)
    return {
        "lead": lead,
        "timeline": timeline,
        "stage_history": [entry for entry in timeline if entry.kind == "stage"],
        # Explained live with today's rules and decay, so it always adds up to what scoring would store now.
        "breakdown": explain_score(lead),
        "note_form": note_form,
        "can_edit": selectors.can_edit_leads(request.user),
    }


@require_POST
@role_required(*ROLES)
def lead_add_note(request, pk):
    """Every role may add a note; htmx gets the refreshed timeline, a plain POST a redirect."""
    lead = selectors.lead_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        add_note(lead=lead, author=request.user, body=form.cleaned_data["body"])
        form = NoteForm()
        if not request.htmx:
            messages.success(request, "Note added.")
    elif not request.htmx:
        messages.error(request, "A note cannot be empty.")
    if request.htmx:
        return render_page(request, "leads/lead_detail.html", _detail_context(request, lead, form), partial="timeline")
    return redirect(lead)


@require_http_methods(["GET", "POST"])
@role_required(MARKETER, MANAGER)
def lead_create(request):
    """A lead entered by hand; an email already known merges into the existing lead (and says so)."""
    form = NewLeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        campaign, consent = data.pop("campaign"), True if data.pop("marketing_consent") else None
        try:
            result = capture_lead(
                data=data, source=CaptureSource.MANUAL, campaign=campaign, by=request.user, consent=consent
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            if result.created:
                messages.success(request, f"Lead {result.lead} created.")
            else:
                messages.info(request, f"{result.lead.email} was already a lead: the new details were merged into it.")
            return redirect(result.lead)
    return render(request, "leads/lead_form.html", {"form": form, "title": "New lead"})


@require_http_methods(["GET", "POST"])
def lead_edit(request, pk):
    lead = selectors.lead_for_user(request.user, pk, write=True)
    form = LeadForm(request.POST or None, instance=lead)
    if request.method == "POST" and form.is_valid():
        update_lead(lead=lead, data=form.cleaned_data, by=request.user)
        messages.success(request, "Lead saved.")
        return redirect(lead)
    return render(request, "leads/lead_form.html", {"form": form, "title": f"Edit {lead}", "lead": lead})


@require_POST
@role_required(MARKETER, MANAGER)
def lead_apply_submission(request, pk, submission_pk):
    """Apply what a visitor submitted on the public form (kept on the timeline) to the lead, in one click."""
    lead = selectors.lead_for_user(request.user, pk, write=True)
    try:
        apply_form_submission(lead=lead, submission_id=submission_pk, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The details submitted on the public form were applied.")
    return redirect(lead)
