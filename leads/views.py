from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign
from crm.history import audit_context
from crm.http import client_ip, count_in_window
from crm.people import display_name
from crm.roles import MANAGER, MARKETER, ROLES, is_manager, role_required
from leads import consent, selectors, services
from leads.forms import (
    BulkActionForm,
    CaptureForm,
    ImportMappingForm,
    ImportUploadForm,
    LeadFilterForm,
    LeadForm,
    NewLeadForm,
    NoteForm,
)
from leads.imports import ImportFileError, queue_import, start_import
from leads.models import CaptureSource, LeadImport
from leads.scoring import explain_score
from leads.services import StageChangeNotAllowed

# The public form accepts this many submissions per minute from one address, then answers 429.
CAPTURE_RATE_LIMIT = 10
CAPTURE_RATE_WINDOW = 60


def _htmx_aware(request, response):
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- List and bulk actions ----------------------------------------------------------------------------


def _listed_leads(request):
    """The list's filter form, its valid filters and the leads they select, from the query string."""
    form = LeadFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    queryset = selectors.filter_leads(selectors.leads_visible_to(request.user), filters)
    filtered = any(value not in (None, "") for name, value in filters.items() if name != "sort")
    return form, queryset, filtered


@role_required(*ROLES)
def lead_list(request):
    """Search, filter and sort the leads, a keyset page at a time (fast with a million of them)."""
    form, queryset, filtered = _listed_leads(request)
    sort = form.chosen_sort() if request.GET else "newest"
    # Up to PAGE_COUNT_LIMIT the page says how many; beyond, the count line fetches `lead_count`.
    counted = selectors.exact_count(queryset, selectors.PAGE_COUNT_LIMIT)
    page = selectors.keyset_page(
        queryset.select_related("owner", "first_touch_campaign"),
        sort=sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        counted=counted,
    )
    context = {
        "form": form,
        "page": page,
        "count": None if counted is None else selectors.ListCount(selectors.PAGE_COUNT_LIMIT, exact=counted),
        "sort": sort,
        "filtered": filtered,
        "can_edit": selectors.can_edit_leads(request.user),
        "bulk_form": BulkActionForm(prefix="bulk", user=request.user) if is_manager(request.user) else None,
        "capture_campaign": Campaign.objects.active().order_by("-start_date").first() if not page.rows else None,
    }
    template = "leads/lead_list.html#results" if request.htmx else "leads/lead_list.html"
    return _htmx_aware(request, render(request, template, context))


@require_GET
@role_required(*ROLES)
def lead_count(request):
    """The list's count line for the same query string, when more leads match than the page counts itself:
    exact up to EXACT_COUNT_LIMIT, an estimate marked as one above."""
    _form, queryset, filtered = _listed_leads(request)
    context = {"count": selectors.count_for_list(queryset), "filtered": filtered}
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
    ids = [lead.pk for lead in form.cleaned_data["leads"]]
    if form.cleaned_data["action"] == "assign":
        owner = form.cleaned_data["owner"]
        count = services.assign_owner(lead_ids=ids, owner=owner, by=request.user)
        messages.success(request, f"{count} lead(s) assigned to {display_name(owner)}.")
    else:
        try:
            count = services.change_stages(
                lead_ids=ids, to=form.cleaned_data["stage"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except StageChangeNotAllowed as exc:
            messages.error(request, f"No lead was moved: {exc}")
        else:
            messages.success(request, f"{count} lead(s) moved.")
    return redirect(back)


# --- Detail, notes, create and edit --------------------------------------------------------------------


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
        services.add_note(lead=lead, author=request.user, body=form.cleaned_data["body"])
        form = NoteForm()
        if not request.htmx:
            messages.success(request, "Note added.")
    elif not request.htmx:
        messages.error(request, "A note cannot be empty.")
    if request.htmx:
        response = render(request, "leads/lead_detail.html#timeline", _detail_context(request, lead, form))
        return _htmx_aware(request, response)
    return redirect(lead)


@require_http_methods(["GET", "POST"])
@role_required(MARKETER, MANAGER)
def lead_create(request):
    """A lead entered by hand; an email already known merges into the existing lead (and says so)."""
    form = NewLeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        campaign = data.pop("campaign")
        consent = True if data.pop("marketing_consent") else None
        try:
            result = services.capture_lead(
                data=data, source=CaptureSource.MANUAL, campaign=campaign, by=request.user, consent=consent
            )
        except ValidationError as exc:
            _add_errors(form, exc)
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
        services.update_lead(lead=lead, data=form.cleaned_data, by=request.user)
        messages.success(request, "Lead saved.")
        return redirect(lead)
    return render(request, "leads/lead_form.html", {"form": form, "title": f"Edit {lead}", "lead": lead})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Public capture form --------------------------------------------------------------------------------


def over_rate_limit(request) -> bool:
    """Count this submission against the address's budget for the current window (in the shared cache);
    when the cache is down the form still takes leads."""
    count = count_in_window(f"leads:capture-rate:{client_ip(request)}", CAPTURE_RATE_WINDOW)
    return count is not None and count > CAPTURE_RATE_LIMIT


def embeddable(view):
    """Let other sites show this view in an iframe: no X-Frame-Options, and CSP frame-ancestors from the
    CAPTURE_FRAME_ANCESTORS setting instead of Relay's 'none'."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        framing = csp_replace({"frame-ancestors": settings.CAPTURE_FRAME_ANCESTORS})
        return framing(xframe_options_exempt(view))(request, *args, **kwargs)

    return wrapped


@login_not_required
@embeddable
# Embedded in an iframe on another site, the browser withholds our CSRF cookie (SameSite) and every post
# would fail. The form changes nothing a visitor owns (it only submits their own details), so CSRF buys
# nothing here; abuse is held off by the honeypot and the per-address rate limit instead.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def capture(request, slug):
    """The public web-to-lead form of a campaign, to link to or embed in an iframe on a marketing site.

    Anonymous, so untrusted: it creates a lead, or on a known one fills blanks only and keeps the rest for
    a marketer (`services.capture_lead`); a consent tick asks for a double opt-in (`leads.consent`)."""
    campaign = get_object_or_404(Campaign.objects.active(), slug=slug)
    form = CaptureForm(request.POST or None)
    if request.method == "POST":
        if over_rate_limit(request):
            return render(request, "leads/capture_rate_limited.html", {"campaign": campaign}, status=429)
        if form.is_valid():
            if form.cleaned_data["website"]:  # a filled honeypot is a bot: thank it and keep nothing
                return redirect("leads:capture_thanks", slug=campaign.slug)
            try:
                asked = services.capture_from_public_form(
                    data=form.cleaned_data, campaign=campaign, referrer=request.META.get("HTTP_REFERER", "")
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                thanks = reverse("leads:capture_thanks", args=[campaign.slug])
                return redirect(thanks + ("?confirm=1" if asked else ""))
    return render(request, "leads/capture.html", {"form": form, "campaign": campaign})


@login_not_required
@embeddable
def capture_thanks(request, slug):
    campaign = get_object_or_404(Campaign.objects.active(), slug=slug)
    context = {"campaign": campaign, "asked_to_confirm": request.GET.get("confirm") == "1"}
    return render(request, "leads/capture_thanks.html", context)


@login_not_required
@require_http_methods(["GET"])
def consent_confirm(request, token):
    """The double opt-in link of a confirmation email: opening it records the consent."""
    try:
        consent_request = consent.confirm(token=token)
    except consent.ConsentLinkError as exc:
        return render(request, "leads/consent.html", {"problem": str(exc)}, status=400)
    unsubscribe_url = reverse("leads:consent_unsubscribe", args=[consent.unsubscribe_token(consent_request.lead)])
    return render(request, "leads/consent.html", {"confirmed": consent_request, "unsubscribe_url": unsubscribe_url})


@login_not_required
# Mail programs unsubscribe with a POST of their own (RFC 8058 one-click), without a CSRF token; the
# signed link is the proof, and withdrawing consent is all it can do.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def consent_unsubscribe(request, token):
    """The unsubscribe link of every marketing email: opening it (or a mail program's one-click POST)
    withdraws the lead's marketing consent."""
    try:
        consent.unsubscribe(token=token)
    except consent.ConsentLinkError as exc:
        return render(request, "leads/consent.html", {"problem": str(exc)}, status=400)
    return render(request, "leads/consent.html", {"unsubscribed": True})


@require_POST
@role_required(MARKETER, MANAGER)
def lead_apply_submission(request, pk, submission_pk):
    """Apply what a visitor submitted on the public form (kept on the timeline) to the lead, in one click."""
    lead = selectors.lead_for_user(request.user, pk, write=True)
    try:
        services.apply_form_submission(lead=lead, submission_id=submission_pk, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The details submitted on the public form were applied.")
    return redirect(lead)


# --- CSV import ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(MARKETER, MANAGER)
def import_upload(request):
    """Step 1: upload a CSV; its header is read and the columns are guessed for the mapping page."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead_import = start_import(uploaded=form.cleaned_data["file"], by=request.user)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("leads:import_mapping", pk=lead_import.pk)
    recent = LeadImport.objects.select_related("created_by")[:10]
    return render(request, "leads/import_upload.html", {"form": form, "recent": recent})


@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    """Step 2: confirm which column fills which field; email is required. Then the task is queued."""
    lead_import = selectors.lead_import_for_user(request.user, pk)
    if lead_import.status != LeadImport.Status.MAPPING:
        return redirect(lead_import)
    form = ImportMappingForm(
        request.POST or None, headers=lead_import.headers, mapping=lead_import.mapping, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            queue_import(lead_import=lead_import, mapping=form.mapping(), campaign=form.cleaned_data["campaign"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect(lead_import)
    missing_email = "email" not in lead_import.mapping.values()
    return render(
        request, "leads/import_mapping.html", {"form": form, "lead_import": lead_import, "missing_email": missing_email}
    )


def import_progress(request, pk):
    """Step 3: the progress bar, polled by htmx every second until the import is done, then the summary."""
    lead_import = selectors.lead_import_for_user(request.user, pk)
    template = "leads/import_progress.html#progress" if request.htmx else "leads/import_progress.html"
    return _htmx_aware(request, render(request, template, {"lead_import": lead_import}))


def import_errors(request, pk):
    """The rows that could not be imported, with their line number and reason, as a CSV download."""
    lead_import = selectors.lead_import_for_user(request.user, pk)
    if not lead_import.errors_file:
        raise Http404("This import has no errors.")
    return FileResponse(
        lead_import.errors_file.open("rb"),
        as_attachment=True,
        filename=f"{lead_import.original_name.rsplit('.', 1)[0]}-errors.csv",
        content_type="text/csv",
    )
