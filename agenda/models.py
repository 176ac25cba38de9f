from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def done(self):
        return self.filter(done_at__isnull=False)

    def for_rows(self):
        """With what a task's row shows (agenda/partials/task_row.html): its people and its record."""
        return self.select_related("assignee", "done_by", "lead", "deal", "company")

    def due_by(self, moment):
        """Open tasks due at or before `moment` (overdue ones included)."""
        return self.open().filter(due_at__lte=moment)


class Task(models.Model):
    """Something a person must do by a time, on exactly one lead, deal or company: call back, send the
    contract. The assignee is reminded at `due_at`, once."""

    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks")
    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks")
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The reminder at `due_at`: the in-app notification is created and `reminded_at` stamped in one
    # transaction; the email is sent after, under a lease, and stamped in `reminder_emailed_at`. Snoozing
    # or moving `due_at` clears all three (the reminder is armed again).
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_emailed_at = models.DateTimeField(null=True, blank=True)
    reminder_email_lease = models.DateTimeField(
        null=True, blank=True, help_text="A worker sends the email until then; after it, the sweep sends it again."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(lead__isnull=False, deal__isnull=True, company__isnull=True)
                    | Q(lead__isnull=True, deal__isnull=False, company__isnull=True)
                    | Q(lead__isnull=True, deal__isnull=True, company__isnull=False)
                ),
                name="task_on_one_record",
            ),
        ]
        indexes = [
            # My day and the API's list: a person's open tasks by due time.
            models.Index(
                fields=["assignee", "due_at"], condition=Q(done_at__isnull=True), name="task_open_assignee_idx"
            ),
            # The task list's done tasks: a person's, the latest done first.
            models.Index(
                fields=["assignee", "-done_at"], condition=Q(done_at__isnull=False), name="task_done_assignee_idx"
            ),
            # The reminder sweep: open tasks not yet reminded, by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(done_at__isnull=True, reminded_at__isnull=True),
                name="task_to_remind_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()

    @property
    def record(self):
        """The lead, deal or company the task is on."""
        return self.lead or self.deal or self.company

    @property
    def record_kind(self) -> str:
        """ "Lead", "Deal" or "Company": what kind of record the task is on."""
        return self.record._meta.verbose_name.capitalize()
