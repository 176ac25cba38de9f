"""The links in an email that anyone holding it may open, without signing in: the tracking pixel, the
click redirects and the unsubscribe link. Their signatures are the only proof they need (outreach.tracking).

A pixel always answers the image, whatever its signature: a mail program shows no error, and a forged or
expired one records nothing. A click link redirects only to the address signed inside it; a forged or
expired one shows a short page and redirects nowhere. HEAD requests, known link scanners and an address
over its budget are answered as usual but count nothing.
"""

import base64

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crm.http import over_rate_limit
from outreach import engagement, tracking
from outreach.models import Email

# A transparent 1×1 GIF (42 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
# Opens and clicks counted per address and minute. Generous: a webmail's image proxy fetches every
# one of its users' pixels from a handful of addresses.
TRACKING_RATE_LIMIT = 600
TRACKING_RATE_WINDOW = 60
# Mail security gateways that open every link of an email before its reader does: not the lead.
LINK_SCANNERS = ("barracuda", "bingpreview", "mimecast", "proofpoint", "safelinks", "symantec", "trendmicro")


def over_budget(request) -> bool:
    return over_rate_limit(request, "outreach:tracking-rate", TRACKING_RATE_LIMIT, TRACKING_RATE_WINDOW)


def counts(request) -> bool:
    """Whether this request is a person's open or click to count: a GET from no known scanner, within the
    address's budget."""
    agent = request.headers.get("User-Agent", "").lower()
    if request.method != "GET" or any(scanner in agent for scanner in LINK_SCANNERS):
        return False
    return not over_budget(request)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def open_pixel(request, signed):
    """The tracking pixel: the first open of an email records an engagement event on its lead."""
    try:
        email_token = tracking.opened_email_token(signed)
    except tracking.TrackingLinkError:
        email_token = None
    if email_token and counts(request):
        engagement.record_open(email_token=email_token)
    response = HttpResponse(PIXEL, content_type="image/gif")
    add_never_cache_headers(response)
    return response


@login_not_required
@require_http_methods(["GET", "HEAD"])
def click(request, signed):
    """A link of an email: counts the click, then redirects to the address Relay signed into the link."""
    try:
        email_token, url = tracking.clicked_link(signed)
    except tracking.TrackingLinkError:
        return render(request, "outreach/link_expired.html", status=404)
    if counts(request):
        engagement.record_click(email_token=email_token, url=url)
    response = HttpResponseRedirect(url)
    add_never_cache_headers(response)
    return response


@login_not_required
# Mail programs unsubscribe with a POST of their own (RFC 8058 one-click), without a CSRF token; the
# signed link is the proof, and withdrawing consent is all it can do.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, signed):
    """The unsubscribe link of a marketing email: GET asks to confirm (a link scanner must not unsubscribe
    anyone), POST withdraws the lead's marketing consent."""
    try:
        email_token = tracking.unsubscribing_email_token(signed)
    except tracking.TrackingLinkError:
        return render(request, "leads/consent.html", {"problem": "This unsubscribe link is not valid."}, status=404)
    if request.method == "GET":
        return render(request, "outreach/unsubscribe_confirm.html")
    if over_budget(request):
        problem = "Too many requests from your address: try again in a minute."
        return render(request, "leads/consent.html", {"problem": problem}, status=429)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    via = Email.Unsubscribe.ONE_CLICK if one_click else Email.Unsubscribe.PAGE
    if engagement.unsubscribe(email_token=email_token, via=via) is None:
        problem = "We hold nothing for this address any more: nothing will be sent to it."
        return render(request, "leads/consent.html", {"problem": problem}, status=404)
    return render(request, "leads/consent.html", {"unsubscribed": True})
