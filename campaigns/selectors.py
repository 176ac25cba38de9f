"""Reads on campaigns: who may see or change which campaign, and a campaign's daily figures."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from campaigns.models import Campaign
from crm.roles import MANAGER, MARKETER, ROLES, has_role

EDITOR_ROLES = (MARKETER, MANAGER)


def can_edit_campaigns(user) -> bool:
    """Marketers and managers run campaigns; sales reps only read them (DOMAIN.md "Roles")."""
    return has_role(user, *EDITOR_ROLES)


def campaigns_visible_to(user):
    """Every role reads every campaign; a signed-in user without a role sees none."""
    if not has_role(user, *ROLES):
        return Campaign.objects.none()
    return Campaign.objects.all()


def campaigns_usable_by(user):
    """The campaigns `user` may credit a lead, an import or a deal to: those they see that are not archived."""
    return campaigns_visible_to(user).active()


def campaign_owners():
    """People who may own a campaign: marketers and managers."""
    return (
        get_user_model().objects.filter(groups__name__in=EDITOR_ROLES, is_active=True).distinct().order_by("username")
    )


def campaign_owners_for(user):
    """Who `user` may make a campaign's owner: any marketer or manager, for those who edit campaigns."""
    return campaign_owners() if can_edit_campaigns(user) else get_user_model().objects.none()


def campaign_for_user(user, slug: str, *, write: bool = False, queryset=None) -> Campaign:
    """The campaign with `slug`: 404 when the user may not see it, 403 when they may only read it."""
    campaign = get_object_or_404((queryset if queryset is not None else campaigns_visible_to(user)), slug=slug)
    if write and not can_edit_campaigns(user):
        raise PermissionDenied
    return campaign
