from django import forms

from crm.bounds import MAX_SMALL
from handoff.models import RejectionReason
from leads.models import ScoringSettings
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


class SlaForm(forms.ModelForm):
    """The hours a rep has to answer a new MQL. A setting of the hand-over, not of scoring: saving it rescores
    nothing (it lives on the scoring settings row only because that row is the one place for such settings)."""

    class Meta:
        model = ScoringSettings
        fields = ["sla_hours"]
        widgets = {"sla_hours": forms.NumberInput(attrs={"min": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        at_most(self, "sla_hours", MAX_SMALL)

    def clean_sla_hours(self):
        value = self.cleaned_data["sla_hours"]
        if value < 1:
            raise forms.ValidationError("The SLA must be at least one hour.")
        return value
