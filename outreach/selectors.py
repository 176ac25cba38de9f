"""Reads of email from Relay: who sees, uses and edits which template, and the emails shown on a page."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from crm.roles import MANAGER, MARKETER, ROLES, SALES_REP, has_role
from outreach.models import Email, EmailTemplate


def owns_templates(user) -> bool:
    """Marketing writes the message: marketers and managers create, edit and approve every template."""
    return has_role(user, MARKETER, MANAGER)


def can_create_templates(user) -> bool:
    """Every role: marketers and managers, and sales reps for their own use (never approved by themselves)."""
    return has_role(user, *ROLES)


def templates_visible_to(user):
    """Marketers and managers see every template; a sales rep the approved ones and their own."""
    if owns_templates(user):
        return EmailTemplate.objects.all()
    if has_role(user, SALES_REP):
        return EmailTemplate.objects.filter(Q(approved=True) | Q(owner=user))
    return EmailTemplate.objects.none()


def templates_usable_by(user):
    """What `user` may send: the approved templates and their own (someone else's draft is not the message)."""
    if not has_role(user, *ROLES):
        return EmailTemplate.objects.none()
    return EmailTemplate.objects.filter(Q(approved=True) | Q(owner=user)).order_by("purpose", "name", "id")


def can_edit_template(user, template: EmailTemplate) -> bool:
    """Marketers and managers edit every template; a rep edits their own until marketing approves it."""
    return owns_templates(user) or (template.owner_id == user.pk and not template.approved)


def template_for_user(user, template_id: int, *, write: bool = False) -> EmailTemplate:
    """The template, if `user` may see it (else 404) and, with `write`, edit it (else 403)."""
    template = templates_visible_to(user).select_related("owner").filter(pk=template_id).first()
    if template is None:
        raise Http404("No such email template.")
    if write and not can_edit_template(user, template):
        raise PermissionDenied
    return template


def can_send_email(user) -> bool:
    """Every role may write to a lead it can see (marketing's templates travel through sales' hands)."""
    return has_role(user, *ROLES)


def emails_of_deal(deal, limit: int = 50):
    """The deal's emails, newest first, with their sender."""
    return list(Email.objects.filter(deal=deal).select_related("sender", "lead")[:limit])


def people_to_write_to(company, limit: int = 100):
    """The company's people with an email, the most advanced (highest score) first."""
    return list(company.people.exclude(email="").order_by("-score", "-id")[:limit])
