"""Managers change users' roles here: one Role field instead of raw groups and permissions."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from crm.roles import ROLES, primary_role, set_role

User = get_user_model()


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
