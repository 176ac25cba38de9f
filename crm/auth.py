"""Signing in: lockouts of repeated sign-in failures (django-axes), and the API's token authentication."""

from functools import cache

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from crm.prepared import Prepared
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

    The query is plain SQL built once from the models' tables, and prepared on the database
    (`crm.prepared`): integrations send events hundreds of times a second, and compiling the same ORM
    join each time cost 1.3 ms of CPU, against 0.2 ms for the plain SQL; planning that SQL again on each
    request cost the database 0.3 ms more.
    """

    def authenticate_credentials(self, key):
        statement, fields = token_query(self.get_model())
        with connection.cursor() as cursor:
            statement.execute(cursor, [key])
            rows = cursor.fetchall()
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = get_user_model().from_db(connection.alias, fields, rows[0][:-1])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_roles(user, [row[-1] for row in rows if row[-1] is not None])
        # The token as far as this request needs it: its key and user (request.auth).
        return (user, self.get_model()(key=key, user=user))


@cache
def token_query(token_model) -> tuple[Prepared, list[str]]:
    """The statement of `TokenWithRolesAuthentication` (one row per group of the token's user), and the
    user's field names in the order of its columns; built once per process."""
    user_model = get_user_model()
    token_table = token_model._meta.db_table
    user_table = user_model._meta.db_table
    groups = user_model._meta.get_field("groups")
    through = groups.remote_field.through._meta
    group_table = groups.related_model._meta.db_table
    fields = [field.attname for field in user_model._meta.concrete_fields]
    columns = ", ".join(f"u.{field.column}" for field in user_model._meta.concrete_fields)
    sql = (
        f"SELECT {columns}, g.name FROM {token_table} t"  # noqa: S608 - table names from the models
        f" JOIN {user_table} u ON u.id = t.user_id"
        f" LEFT JOIN {through.db_table} ug ON ug.{groups.m2m_column_name()} = u.id"
        f" LEFT JOIN {group_table} g ON g.id = ug.{groups.m2m_reverse_name()}"
        " WHERE t.key = %s"
    )
    return Prepared("relay_token_user", sql, ("varchar",)), fields
