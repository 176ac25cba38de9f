"""Who sees and changes which company (DOMAIN.md "Roles", as for leads): every role reads every company;
marketers and managers change any, a sales rep the companies they own."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from companies.models import Company
from crm.roles import MANAGER, MARKETER, ROLES, SALES_REP, has_role


def companies_visible_to(user):
    if not has_role(user, *ROLES):
        return Company.objects.none()
    return Company.objects.all()


def companies_writable_by(user):
    if has_role(user, MARKETER, MANAGER):
        return Company.objects.all()
    if has_role(user, SALES_REP):
        return Company.objects.filter(owner=user)
    return Company.objects.none()


def can_edit_company(user, company: Company) -> bool:
    return has_role(user, MARKETER, MANAGER) or (has_role(user, SALES_REP) and company.owner_id == user.pk)


def can_create_companies(user) -> bool:
    return has_role(user, MARKETER, MANAGER)


def can_merge_companies(user) -> bool:
    """Merging moves other people's leads and deals: marketers and managers only."""
    return has_role(user, MARKETER, MANAGER)


def company_for_user(user, company_id, *, write=False, queryset=None) -> Company:
    """The company as `user` may use it: 404 when they may not see it, 403 when they may only read."""
    company = get_object_or_404(queryset if queryset is not None else companies_visible_to(user), pk=company_id)
    if write and not can_edit_company(user, company):
        raise PermissionDenied
    return company
