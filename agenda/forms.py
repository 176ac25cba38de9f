from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from agenda.access import task_assignees_for
from agenda.models import Task
from agenda.services import SNOOZES
from crm import bounds
from crm.people import UserChoiceField
from crm.relations import LimitedChoicesForm
from crm.roles import is_manager

# A new task is due tomorrow at this local time unless the person says otherwise.
DEFAULT_DUE_TIME = time(9, 0)


def default_due_at(*, today=None) -> datetime:
    """Tomorrow at 09:00 in the site's time zone."""
    today = today or timezone.localdate()
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), DEFAULT_DUE_TIME))


class TaskForm(LimitedChoicesForm, forms.Form):
    """Add a task on a record: a title, the due date and time (in the site's time zone), a note; managers also
    pick the assignee (everyone else's tasks are their own)."""

    title = forms.CharField(label="Task", max_length=Task._meta.get_field("title").max_length)
    due_date = bounds.DateField(label="Due date", widget=forms.DateInput(attrs={"type": "date"}))
    due_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    assignee = UserChoiceField(label="Assignee", queryset=get_user_model().objects.none(), required=False)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        due = timezone.localtime(default_due_at())
        self.fields["due_date"].initial = due.date()
        self.fields["due_time"].initial = due.time()
        if is_manager(self.user):
            self.fields["assignee"].initial = self.user.pk
        else:
            del self.fields["assignee"]

    def relation_choices(self, user):
        return {"assignee": task_assignees_for(user)}

    def clean(self):
        data = super().clean()
        if data.get("due_date") and data.get("due_time"):
            data["due_at"] = timezone.make_aware(datetime.combine(data["due_date"], data["due_time"]))
        return data

    def task_fields(self) -> dict:
        """The valid form as `create_task`'s keyword arguments (besides the record and who adds it)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "due_at": data["due_at"],
            "note": data["note"],
            "assignee": data.get("assignee") or self.user,
        }


class SnoozeForm(forms.Form):
    """Put a task off: `until` is "tomorrow" or "next_week" (next Monday), at the same time of day."""

    until = forms.ChoiceField(choices=list(SNOOZES.items()))


class CloseDateForm(forms.Form):
    """My day's quick fix for a deal that slipped: a new expected close date, today or later."""

    expected_close_date = forms.DateField(
        label="New expected close date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_expected_close_date(self):
        value = self.cleaned_data["expected_close_date"]
        bounds.validate_date_in_range(value)
        if value < timezone.localdate():
            raise forms.ValidationError("Pick today or a later date: this one has passed too.")
        return value
