"""Managers change users' roles here: one Role field instead of raw groups and permissions.

Only superusers act on superusers: anyone else who could set a superuser's password or email, change its
role, delete it or make an API token for it would hold every key. Managers see superusers, read-only. An API
token's key is a password too: outside superusers, a user sees, makes and deletes only their own.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from crm.roles import ROLES, primary_role, set_role

User = get_user_model()


def acts_on_a_superuser(request, user) -> bool:
    """True when someone other than a superuser would change, reset or delete a superuser."""
    return user is not None and user.is_superuser and not request.user.is_superuser


class RoleFormMixin(forms.ModelForm):
    role = forms.ChoiceField(
        choices=[("", "— no role —"), *((role, role) for role in ROLES)],
        required=False,
        help_text="What this person does in Relay. Managers also get access to this admin.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = primary_role(self.instance) or ""


class RoleUserChangeForm(RoleFormMixin, UserAdmin.form):
    pass


class RoleUserCreationForm(RoleFormMixin, UserAdmin.add_form):
    pass


admin.site.unregister(User)


@admin.register(User)
class RoleUserAdmin(UserAdmin):
    form = RoleUserChangeForm
    add_form = RoleUserCreationForm
    list_display = ("username", "first_name", "last_name", "email", "role_name", "is_active")
    list_filter = ("groups", "is_active")
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2", "role")}),
    )

    @admin.display(description="Role")
    def role_name(self, obj):
        return primary_role(obj) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_change_permission(self, request, obj=None):
        # Also guards the password form (/admin/auth/user/<id>/password/), which asks this method.
        return super().has_change_permission(request, obj) and not acts_on_a_superuser(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Asked per object by "delete selected" too: a superuser in the selection refuses the whole action.
        return super().has_delete_permission(request, obj) and not acts_on_a_superuser(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        permissions = ("is_active", "role")
        if request.user.is_superuser:
            permissions = ("is_active", "is_staff", "is_superuser", "role")
        return (
            (None, {"fields": ("username", "password")}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Access", {"fields": permissions}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        set_role(obj, form.cleaned_data.get("role") or None)


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class OwnTokenAdmin(TokenAdmin):
    """DRF's token admin, where a non-superuser sees, makes and deletes only their own token, and no token
    ever moves to another user (its known key would then sign in as them)."""

    def get_queryset(self, request):
        # DRF's change and delete views find a token through this queryset: another user's is "not found".
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj is not None else ()
