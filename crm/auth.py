"""Signing in: lockouts of repeated sign-in failures (django-axes), and the API's token authentication."""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import F
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from crm.roles import remember_roles


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, first in AUTHENTICATION_BACKENDS: refuses a locked-out username and address.

    Lockouts count sign-ins from a client. `authenticate()` without a request (the test client's
    `login()`, a management command) has no client to count, so it passes on to the next backend instead
    of failing, as Axes' own backend would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_response(request, original_response, credentials):
    """The sign-in page again, with a message that says why and for how long (429 Too Many Requests)."""
    username = (credentials or {}).get("username", "")
    minutes = int(get_cool_off(request).total_seconds() // 60)
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_out_minutes": minutes, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


class TokenWithRolesAuthentication(TokenAuthentication):
    """DRF's token authentication that reads the user's roles in the same query.

    Every API view checks roles (`crm.roles.RolePermission`): DRF's own class would need a second query
    for them on each request. The token, its user and the user's group names come in one row per group
    (a LEFT JOIN: one row with no name for a user without groups), read afresh on every request, so a
    revoked token or a changed role takes effect at once. Errors are DRF's.
    """

    def authenticate_credentials(self, key):
        rows = list(
            self.get_model().objects.select_related("user").filter(key=key).annotate(group_name=F("user__groups__name"))
        )
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = rows[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_roles(token.user, [row.group_name for row in rows if row.group_name is not None])
        return (token.user, token)
