"""Relay's three roles, kept as Django groups, and the one way views and the API check them.

A user has one role. Superusers count as managers. The model permissions each group holds (used by the
Django admin) follow ROLE_PERMISSIONS and are re-synced after every migrate, so a new model's
permissions reach the right groups without a hand-written migration.
"""

from fnmatch import fnmatch
from functools import wraps

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

MARKETER = "Marketer"
SALES_REP = "Sales rep"
MANAGER = "Manager"
ROLES = (MARKETER, SALES_REP, MANAGER)

# "app_label.codename" patterns (fnmatch) granted to each role in the Django admin. Views do not read
# these: they check roles (below) and ownership (each app's selectors).
ROLE_PERMISSIONS = {
    MARKETER: [
        "campaigns.*",
        "companies.*",
        "leads.*",
        "deals.view_*",
        "reports.view_*",
    ],
    SALES_REP: [
        "campaigns.view_*",
        "companies.view_*",
        "companies.change_company",
        "leads.view_*",
        "leads.add_leadnote",
        "deals.*",
        "reports.view_*",
    ],
    MANAGER: [
        "campaigns.*",
        "companies.*",
        "leads.*",
        "deals.*",
        "reports.*",
        "agenda.*",  # tasks: put one right, give it to another rep, delete it
        "auth.view_user",
        "auth.change_user",
        "auth.view_group",
        "authtoken.*",
        # Sign-in lockouts: see them, and delete one to unlock that user early.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ],
}


def roles_of(user) -> frozenset[str]:
    """The role names a user holds, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_relay_roles", None)
    if cached is None:
        cached = remember_roles(user, [group.name for group in user.groups.all()])
    return cached


def remember_roles(user, group_names) -> frozenset[str]:
    """Keep on `user` (for this request) the roles its groups give; superusers are managers too.

    For code that reads the group names along with the user (the API's token authentication), so that
    `roles_of` needs no query of its own.
    """
    roles = frozenset(group_names)
    if user.is_superuser:
        roles |= {MANAGER}
    user._relay_roles = roles
    return roles


def has_role(user, *roles: str) -> bool:
    return not roles_of(user).isdisjoint(roles)


def is_manager(user) -> bool:
    return has_role(user, MANAGER)


def primary_role(user) -> str | None:
    """The role that shapes the navigation and the dashboard (a manager sees everything)."""
    held = roles_of(user)
    return next((role for role in (MANAGER, MARKETER, SALES_REP) if role in held), None)


def role_required(*roles: str):
    """View decorator: 403 unless the signed-in user holds one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RolePermission(BasePermission):
    """DRF permission: `read_roles` may use safe methods, `write_roles` everything."""

    read_roles: tuple[str, ...] = ROLES
    write_roles: tuple[str, ...] = ()

    def has_permission(self, request, view):
        allowed = self.read_roles if request.method in SAFE_METHODS else self.write_roles
        return bool(request.user and request.user.is_authenticated and has_role(request.user, *allowed))


def role_permission(*, read: tuple[str, ...] = ROLES, write: tuple[str, ...] = ()) -> type[RolePermission]:
    """A RolePermission class for one endpoint: `permission_classes = [role_permission(write=(...))]`."""
    return type("RolePermission", (RolePermission,), {"read_roles": read, "write_roles": write})


def set_role(user, role: str | None) -> None:
    """Give `user` exactly one role (or none); managers get staff status so they can use the admin."""
    from django.contrib.auth.models import Group

    if role is not None and role not in ROLES:
        raise ValueError(f"Unknown role: {role}")
    user.groups.set([Group.objects.get(name=role)] if role else [])
    user.is_staff = role == MANAGER or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_relay_roles", None)


def sync_role_permissions(using="default", **kwargs):
    """post_migrate: make each role's group hold exactly the model permissions ROLE_PERMISSIONS names."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Permissions of apps migrated after this one may not exist yet: create them all now (idempotent).
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    permissions = list(Permission.objects.using(using).select_related("content_type"))
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        granted = [
            perm
            for perm in permissions
            if any(fnmatch(f"{perm.content_type.app_label}.{perm.codename}", pattern) for pattern in patterns)
        ]
        group.permissions.set(granted)
