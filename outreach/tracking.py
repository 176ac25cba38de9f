"""The signed links of an email: its tracking pixel, its click redirects and its unsubscribe link.

Each kind of link has its own salt, so that a signature made for one can never be replayed as another
(a pixel's token is not a click's). The pixel and the click links name the email by its random token and
expire after TRACKING_LINK_DAYS: an old email's links stop counting, and a click link stops redirecting.
A click link carries the address it leads to inside its signature, so Relay only ever redirects to an
address it wrote into an email itself: never an open redirect. The unsubscribe link never expires:
withdrawing consent must always work.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

OPEN_SALT = "outreach.tracking.open"
CLICK_SALT = "outreach.tracking.click"
UNSUBSCRIBE_SALT = "outreach.tracking.unsubscribe"
TRACKED_SCHEMES = ("http://", "https://")


class TrackingLinkError(Exception):
    """A link whose signature is forged, whose content is not what Relay signs, or that has expired."""


class ExpiredLink(TrackingLinkError):
    pass


def absolute(path: str) -> str:
    """The address of `path` on this Relay (SITE_URL), for links in emails."""
    return settings.SITE_URL.rstrip("/") + path


def is_tracked(url: str) -> bool:
    return url.lower().startswith(TRACKED_SCHEMES)


def _max_age() -> timedelta:
    return timedelta(days=settings.TRACKING_LINK_DAYS)


def open_token(email) -> str:
    return signing.TimestampSigner(salt=OPEN_SALT).sign(email.token)


def click_token(email, url: str) -> str:
    return signing.dumps([email.token, url], salt=CLICK_SALT, compress=True)


def unsubscribe_token(email) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(email.token)


def pixel_url(email) -> str:
    return absolute(reverse("outreach:open_pixel", args=[open_token(email)]))


def click_url(email, url: str) -> str:
    return absolute(reverse("outreach:click", args=[click_token(email, url)]))


def unsubscribe_url(email) -> str:
    return absolute(reverse("outreach:unsubscribe", args=[unsubscribe_token(email)]))


def opened_email_token(signed: str) -> str:
    """The token of the email whose pixel `signed` is; TrackingLinkError when forged, ExpiredLink when old."""
    try:
        return signing.TimestampSigner(salt=OPEN_SALT).unsign(signed, max_age=_max_age())
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except signing.BadSignature as exc:
        raise TrackingLinkError from exc


def clicked_link(signed: str) -> tuple[str, str]:
    """(email token, address) of the click link `signed`; TrackingLinkError when forged or not an http(s)
    address, ExpiredLink when old."""
    try:
        token, url = signing.loads(signed, salt=CLICK_SALT, max_age=_max_age())
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise TrackingLinkError from exc
    if not (isinstance(token, str) and isinstance(url, str) and is_tracked(url)):
        raise TrackingLinkError
    return token, url


def unsubscribing_email_token(signed: str) -> str:
    """The token of the email whose unsubscribe link `signed` is; TrackingLinkError when forged."""
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(signed)
    except signing.BadSignature as exc:
        raise TrackingLinkError from exc
