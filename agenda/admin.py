from django.contrib import admin

from agenda.models import Task
from agenda.services import arm_reminder


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "assignee", "due_at", "done_at", "lead", "deal", "company"]
    list_filter = ["assignee", ("done_at", admin.EmptyFieldListFilter), "due_at"]
    search_fields = ["title", "note"]
    list_select_related = ["assignee", "lead", "deal", "company"]
    raw_id_fields = ["lead", "deal", "company"]
    date_hierarchy = "due_at"
    # The reminder's stamps and lease belong to the reminder sweep; who did what is history.
    readonly_fields = [
        "created_by",
        "created_at",
        "updated_at",
        "done_by",
        "reminded_at",
        "reminder_emailed_at",
        "reminder_email_lease",
    ]

    def save_model(self, request, obj, form, change):
        if change and "due_at" in form.changed_data:  # as a snooze does: remind at the new time
            arm_reminder(obj)
        super().save_model(request, obj, form, change)
