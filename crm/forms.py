from django import forms

from crm.models import Profile


class ProfileForm(forms.ModelForm):
    """What a user says about themselves: for now, the signature under their emails."""

    class Meta:
        model = Profile
        fields = ["signature"]
        widgets = {"signature": forms.Textarea(attrs={"rows": 5})}
