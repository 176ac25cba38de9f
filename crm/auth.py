"""Sign-in protection: repeated failures lock out a username from an address (django-axes)."""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


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
