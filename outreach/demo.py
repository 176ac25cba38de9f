"""Demo email templates for `seed_demo`: marketing's approved templates for each purpose, a rep's own draft,
the demo reps' signatures, and some emails already sent from them so that the template list has figures."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from crm.models import Profile
from deals.models import Deal
from outreach.models import Email, EmailKind, EmailTemplate
from outreach.rendering import merge_context, render_message

P = EmailTemplate.Purpose
SIGN_OFF = "\n\nBest,\n{{ rep.name }}\n{{ rep.signature }}"
TEMPLATES = [
    # purpose, kind, name, subject, body
    (P.INTRODUCTION, EmailKind.SALES, "First hello", "{{ lead.first_name|default:'Hello' }}, a quick introduction",
     "Hi {{ lead.first_name|default:'there' }},\n\nI look after {{ company.name|default:'your team' }} at Relay. "
     "Would 20 minutes next week help to see whether we fit?" + SIGN_OFF),
    (P.INTRODUCTION, EmailKind.SALES, "Referral", "{{ lead.first_name }}, we were told to talk",
     "Hi {{ lead.first_name|default:'there' }},\n\nA colleague of yours suggested I get in touch about "
     "{{ company.name|default:'your team' }}'s pipeline. Is this on your desk?" + SIGN_OFF),
    (P.WEBINAR_FOLLOW_UP, EmailKind.SALES, "After the webinar", "The recording, as promised",
     "Hi {{ lead.first_name|default:'there' }},\n\nThanks for joining the webinar. The recording and slides: "
     "https://relay.example/webinars/latest\n\nWhat would you like to see in more depth?" + SIGN_OFF),
    (P.WEBINAR_FOLLOW_UP, EmailKind.SALES, "Missed the webinar", "Sorry we missed you",
     "Hi {{ lead.first_name|default:'there' }},\n\nYou signed up but could not make it: here is the recording, "
     "https://relay.example/webinars/latest" + SIGN_OFF),
    (P.DEMO_FOLLOW_UP, EmailKind.SALES, "After the demo", "{{ company.name|default:'Your' }} next steps",
     "Hi {{ lead.first_name|default:'there' }},\n\nThank you for your time today. As discussed, next steps for "
     "{{ deal.title|default:'the trial' }}: a two-week pilot with your team." + SIGN_OFF),
    (P.CONTENT_FOLLOW_UP, EmailKind.SALES, "After the guide", "Did the guide help?",
     "Hi {{ lead.first_name|default:'there' }},\n\nYou downloaded our lead-scoring guide. Happy to walk you "
     "through how {{ company.name|default:'teams like yours' }} could apply it." + SIGN_OFF),
    (P.PROPOSAL, EmailKind.SALES, "Proposal", "Proposal for {{ company.name|default:'you' }}",
     "Hi {{ lead.first_name|default:'there' }},\n\nPlease find our proposal for {{ deal.title|default:'your team' }}. "
     "It is valid for 30 days." + SIGN_OFF),
    (P.CHECK_IN, EmailKind.SALES, "Checking in", "Checking in",
     "Hi {{ lead.first_name|default:'there' }},\n\nJust checking in: is there anything I can help with?" + SIGN_OFF),
    (P.NURTURE, EmailKind.MARKETING, "Monthly news", "What's new at Relay this month",
     "Hi {{ lead.first_name|default:'there' }},\n\nThree things we shipped this month: "
     "https://relay.example/changelog" + SIGN_OFF),
]  # fmt: skip
SIGNATURES = {"rep1": "Rita Perez · Account executive, Relay", "rep2": "Sam Okafor · Account executive, Relay"}


def seed(*, users, stdout):
    """Add the demo templates, signatures and sent emails unless there are templates already."""
    if EmailTemplate.objects.exists():
        stdout.write("  email templates: already there, nothing added")
        return
    with transaction.atomic():
        templates = [
            EmailTemplate.objects.create(
                purpose=purpose, kind=kind, name=name, subject=subject, body=body, approved=True,
                owner=users["marketer"],
            )
            for purpose, kind, name, subject, body in TEMPLATES
        ]  # fmt: skip
        EmailTemplate.objects.create(
            name="My short follow-up", subject="Following up", body="Hi {{ lead.first_name }}, any news?" + SIGN_OFF,
            purpose=P.CHECK_IN, owner=users["rep1"],
        )  # fmt: skip
        for username, signature in SIGNATURES.items():
            Profile.objects.update_or_create(user=users[username], defaults={"signature": signature})
        sent = _sent_emails([t for t in templates if t.kind == EmailKind.SALES])
    stdout.write(f"  email templates: {len(templates) + 1}, with {sent} emails sent from them")


def _sent_emails(templates) -> int:
    """Emails already sent about the demo deals, some opened or clicked: the templates' figures."""
    rng = random.Random(23)  # the same demo every time
    now = timezone.now()
    emails = []
    deals = Deal.objects.filter(lead__isnull=False).select_related("lead__account", "owner")[:60]
    for deal in deals:
        template = rng.choice(templates)
        rendered = render_message(
            subject=template.subject,
            body=template.body,
            context=merge_context(lead=deal.lead, rep=deal.owner, deal=deal),
        )
        at = now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
        opened = rng.random() < 0.6
        emails.append(
            Email(
                lead=deal.lead, deal=deal, company=deal.account, template=template, sender=deal.owner,
                to_address=deal.lead.email, subject=rendered.subject, body=rendered.body, status=Email.Status.SENT,
                attempts=1, queued_at=at, sent_at=at, opened_at=at + timedelta(hours=2) if opened else None,
                open_count=int(opened), clicked_at=at + timedelta(hours=3) if opened and rng.random() < 0.4 else None,
            )
        )  # fmt: skip
    Email.objects.bulk_create(emails)
    return len(emails)
