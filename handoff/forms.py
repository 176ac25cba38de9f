from django import forms
from django.utils import timezone

from crm import bounds
from crm.bounds import MAX_SMALL
from handoff.models import RejectionReason, Sla
from leads.scoring.forms import at_most


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "— choose a reason —"), *RejectionReason.choices])
    outcome = forms.ChoiceField(
        choices=[("nurture", "Not now: back to marketing (nurture)"), ("disqualify", "Never a fit: disqualify")],
        initial="nurture",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why in the note when the reason is Other.")
        return cleaned


class SlaForm(forms.Form):
    """The hours a rep has to answer a new MQL, from a date on (today when left blank). A setting of the
    hand-over, not of scoring: saving it rescores nothing. A date in the past is refused: hand-overs already
    made keep the SLA they were given."""

    sla_hours = forms.IntegerField(label="SLA hours", widget=forms.NumberInput(attrs={"min": 1}))
    effective_from = bounds.DateField(
        label="Applies from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Hand-overs from this day on (in the site's time zone) take these hours. Today when blank.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        at_most(self, "sla_hours", MAX_SMALL)
        self.fields["effective_from"].initial = timezone.localdate

    def clean_sla_hours(self):
        value = self.cleaned_data["sla_hours"]
        if value < 1:
            raise forms.ValidationError("The SLA must be at least one hour.")
        return value

    def clean_effective_from(self):
        day, today = self.cleaned_data["effective_from"], timezone.localdate()
        if day is None:
            return today
        if day < today:
            raise forms.ValidationError(Sla.NOT_IN_THE_PAST)
        return day
