"""The hand-over: the contract between marketing and sales (DOMAIN.md "The hand-over").

An MQL waits in a rep's inbox as a `Handoff`; it is not a deal. Accepting it creates the deal (`deal`);
rejecting it never does. The tables keep the names they had when these models lived in the leads app.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from leads.models import Lead


class RejectionReason(models.TextChoices):
    """Why a sales rep rejected an MQL (DOMAIN.md): the feedback that flows back to marketing."""

    NO_BUDGET = "no_budget", "No budget"
    NO_AUTHORITY = "no_authority", "No authority"
    NO_NEED = "no_need", "No need"
    BAD_TIMING = "bad_timing", "Bad timing"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    UNREACHABLE = "unreachable", "Unreachable"
    DUPLICATE = "duplicate", "Duplicate"
    OTHER = "other", "Other"


class Handoff(models.Model):
    """One hand-over of an MQL to a sales rep, and the rep's answer: the contract between the two teams.

    A lead is handed over once per qualification: a unique (lead, round) makes a duplicate delivery of the
    hand-over task fail instead of creating a second one. A lead sent back to nurture may re-qualify later,
    which opens round 2.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for the rep"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="handoffs")
    round = models.PositiveSmallIntegerField(default=1)
    # The deal the rep's accept created: unique, so one hand-over never opens two deals.
    deal = models.OneToOneField("deals.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="handoff")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs")
    score = models.IntegerField(help_text="The lead's score when it was handed over.")
    handed_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(help_text="When the SLA runs out.")
    # The SLA in force when it was handed over: its answer is judged against these hours ever after, whatever
    # the SLA becomes (the hand-over sets it from `Sla`; the default is the default SLA).
    sla_hours = models.PositiveSmallIntegerField(
        "SLA hours", default=24, help_text="Hours the rep had to answer, as the SLA stood when it was handed over."
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    note = models.TextField(blank=True)
    reassigned_at = models.DateTimeField(null=True, blank=True)
    previous_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "leads_handoff"
        ordering = ["-handed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "round"], name="one_handoff_per_lead_and_round"),
        ]
        indexes = [
            models.Index(fields=["rep", "outcome"], name="handoff_rep_outcome_idx"),
            models.Index(fields=["outcome", "due_at"], name="handoff_outcome_due_idx"),
            models.Index(fields=["handed_at"], name="handoff_handed_idx"),
            models.Index(fields=["responded_at"], name="handoff_responded_idx"),
        ]

    def __str__(self):
        return f"MQL {self.lead_id} → {self.rep_id} (round {self.round})"

    @property
    def is_overdue(self) -> bool:
        return self.outcome == self.Outcome.PENDING and self.due_at < timezone.now()


class Sla(models.Model):
    """The hours a rep has to answer a new MQL, from a date on (DOMAIN.md "SLA compliance").

    A change applies from its date and never rewrites the past: the SLA in force at a moment is the row with
    the latest `effective_from` on or before that moment's date in TIME_ZONE (the latest set, for one date),
    and each hand-over keeps the hours it was given (`Handoff.sla_hours`). Rows are only ever added, so the
    table is also the history of who set what."""

    DEFAULT_HOURS = 24
    NOT_IN_THE_PAST = "An SLA applies from today or later: the past keeps the SLA it had."

    hours = models.PositiveSmallIntegerField(
        "SLA hours", help_text="Hours a rep has to accept or reject a new MQL before it is reassigned."
    )
    effective_from = models.DateField("Applies from", help_text="The first day (in the site's time zone) it applies.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "SLA"
        verbose_name_plural = "SLA history"
        ordering = ["-effective_from", "-set_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gte=1), name="sla_hours_at_least_one")]

    def __str__(self):
        return f"{self.hours} h from {self.effective_from:%Y-%m-%d}"

    def clean(self):
        if self._state.adding and self.effective_from and self.effective_from < timezone.localdate():
            raise ValidationError({"effective_from": self.NOT_IN_THE_PAST})


class HandoffFailure(models.Model):
    """A qualified lead whose hand-over raised: the error, for managers (who can retry it at once), and when
    the beat sweep tries again. Each failure doubles the wait, up to an hour; a hand-over that goes through
    deletes the row. The lead's score request was consumed with this row, so the failure neither blocks
    nor repeats the work of the leads scored with it."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, primary_key=True, related_name="handoff_failure")
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField()

    class Meta:
        db_table = "leads_handofffailure"
        ordering = ["-last_failed_at", "-lead_id"]
        indexes = [models.Index(fields=["next_attempt_at"], name="handoff_failure_due_idx")]

    def __str__(self):
        return f"Hand-over of lead {self.lead_id} failed {self.attempts}×"


class TerritoryRule(models.Model):
    """Managers route MQLs by country or company size to a named rep; the others go round-robin."""

    class Field(models.TextChoices):
        COUNTRY = "country", "Country"
        COMPANY_SIZE = "company_size", "Company size"

    field = models.CharField(max_length=20, choices=Field.choices)
    value = models.CharField(max_length=100, help_text="Comma-separated values, e.g. DE, AT, CH.")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="territories")
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers are tried first.")

    class Meta:
        db_table = "leads_territoryrule"
        ordering = ["priority", "id"]

    def __str__(self):
        return f"{self.get_field_display()} in {self.value} → {self.rep}"

    def matches(self, lead: Lead) -> bool:
        wanted = {part.strip().lower() for part in self.value.split(",") if part.strip()}
        return (getattr(lead, self.field) or "").strip().lower() in wanted
