import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmailKind(models.TextChoices):
    # One-to-one: a rep writes to a person; honours the lead's "do not contact".
    SALES = "sales", "One-to-one (sales)"
    # Marketing's message: only to leads with marketing consent, always with an unsubscribe link.
    MARKETING = "marketing", "Marketing"


class EmailTemplate(models.Model):
    """A message with merge fields ({{ lead.first_name }}, the company, the rep's name and signature), written
    by marketing (approved for sales to use) or by a rep for their own use."""

    class Purpose(models.TextChoices):
        INTRODUCTION = "introduction", "Introduction"
        WEBINAR_FOLLOW_UP = "webinar_follow_up", "Follow-up after a webinar"
        DEMO_FOLLOW_UP = "demo_follow_up", "Follow-up after a demo"
        CONTENT_FOLLOW_UP = "content_follow_up", "Follow-up after a download"
        PROPOSAL = "proposal", "Proposal"
        CHECK_IN = "check_in", "Check-in"
        NURTURE = "nurture", "Nurture"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=30, choices=Purpose.choices, default=Purpose.OTHER)
    kind = models.CharField(max_length=20, choices=EmailKind.choices, default=EmailKind.SALES)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    approved = models.BooleanField(default=False, help_text="Approved by marketing for every rep to use.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="email_templates")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["purpose", "name", "id"]

    def __str__(self):
        return self.name


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Email(models.Model):
    """One email to one lead, from the moment it is queued: the database row is the outbox. A worker claims
    it (`claimed_at`), sends it and marks it sent; a beat sweep retakes a claim a dead worker left."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Unsubscribe(models.TextChoices):
        """How the lead used the unsubscribe link of a marketing email."""

        PAGE = "page", "on the unsubscribe page"
        ONE_CLICK = "one_click", "one-click in their mail program"

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="emails")
    deal = models.ForeignKey("deals.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="emails")
    company = models.ForeignKey(
        "companies.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    template = models.ForeignKey(EmailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails")
    kind = models.CharField(max_length=20, choices=EmailKind.choices, default=EmailKind.SALES)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_emails")
    to_address = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Names the email in its Message-ID, its reply-to address and its tracking links.
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last attempt failed, as the mail server said it.")
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt: when the next one is due (the task's retry comes then; the sweep a little later).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    clicked_at = models.DateTimeField(null=True, blank=True)
    click_count = models.PositiveIntegerField(default=0)
    replied_at = models.DateTimeField(null=True, blank=True)
    # Set when this email's unsubscribe link withdrew its lead's marketing consent: the lead's timeline shows it.
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_via = models.CharField(max_length=20, choices=Unsubscribe.choices, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-queued_at"], name="email_lead_time_idx"),
            models.Index(fields=["template", "status"], name="email_template_status_idx"),
            # The outbox sweep: emails still to send.
            models.Index(fields=["queued_at"], condition=Q(status="queued"), name="email_queued_idx"),
        ]

    def __str__(self):
        return self.subject


class EmailClick(models.Model):
    """The first click on one link of one email (later clicks count, but record no new engagement)."""

    email = models.ForeignKey(Email, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField(max_length=2000)
    first_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "url"], name="email_click_once_per_link")]

    def __str__(self):
        return self.url


class EmailReply(models.Model):
    """A reply to an email from Relay, read from the replies mailbox (IMAP_URL, `outreach.replies`): stored
    once per Message-ID however often the mailbox is read."""

    email = models.ForeignKey(Email, on_delete=models.CASCADE, related_name="replies")
    message_id = models.CharField(max_length=255, unique=True)
    from_address = models.CharField("from", max_length=320)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "email replies"
        indexes = [models.Index(fields=["email", "-received_at"], name="email_reply_email_time_idx")]

    def __str__(self):
        return self.subject or self.message_id
