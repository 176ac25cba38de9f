from django import forms

from handoff.models import RejectionReason


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
