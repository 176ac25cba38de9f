"""Writes on email templates. Sending lives in `outreach.sending` (the outbox)."""

from outreach.models import EmailKind, EmailTemplate
from outreach.selectors import owns_templates


def save_template(*, by, template: EmailTemplate | None = None, **fields) -> EmailTemplate:
    """Create (`template` None, owned by `by`) or change a template. Only marketing (marketers, managers) approves
    templates or writes marketing ones: a rep's template stays their own, one-to-one and unapproved."""
    template = template or EmailTemplate(owner=by)
    if not owns_templates(by):
        fields |= {"approved": False, "kind": EmailKind.SALES}
    for name, value in fields.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    return template
