"""The pages a visitor opens without signing in: the public capture form (embeddable on other sites), its
thank-you page, and the double opt-in and unsubscribe links of the consent emails."""

from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.models import Campaign
from crm.http import over_rate_limit as address_over_rate_limit
from leads.forms import CaptureForm, add_validation_errors
from leads.services import consent
from leads.services.capture import capture_from_public_form

# The public form accepts this many submissions per minute from one address, then answers 429.
CAPTURE_RATE_LIMIT = 10
CAPTURE_RATE_WINDOW = 60


def over_rate_limit(request) -> bool:
    """Count this submission against the address's budget for the current window (in the shared cache);
    when the cache is down the form still takes leads."""
    return address_over_rate_limit(request, "leads:capture-rate", CAPTURE_RATE_LIMIT, CAPTURE_RATE_WINDOW)


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
    a marketer (`capture_lead`); a consent tick asks for a double opt-in (`leads.services.consent`)."""
    campaign = get_object_or_404(Campaign.objects.active(), slug=slug)
    form = CaptureForm(request.POST or None)
    if request.method == "POST" and over_rate_limit(request):
        return render(request, "leads/capture_rate_limited.html", {"campaign": campaign}, status=429)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:  # a filled honeypot is a bot: thank it and keep nothing
            return redirect("leads:capture_thanks", slug=campaign.slug)
        referrer = request.META.get("HTTP_REFERER", "")
        try:
            asked = capture_from_public_form(data=form.cleaned_data, campaign=campaign, referrer=referrer)
        except ValidationError as exc:
            add_validation_errors(form, exc)
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
