"""Who sees and changes which company (DOMAIN.md "Roles", as for leads): every role reads every company;
marketers and managers change any, a sales rep the companies they own."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
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


def company_owners_for(user):
    """Who `user` may make a company's owner: marketers and managers any active user who holds a role, a sales
    rep only themselves (a rep keeps the companies they own, and gives none away)."""
    users = get_user_model().objects.filter(is_active=True)
    if has_role(user, MARKETER, MANAGER):
        return (
            users.filter(Q(groups__name__in=ROLES) | Q(is_superuser=True)).distinct().order_by("first_name", "username")
        )
    if has_role(user, SALES_REP):
        return users.filter(pk=user.pk)
    return users.none()
