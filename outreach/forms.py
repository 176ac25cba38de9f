"""The template editor and the compose form. Each refuses, with a message naming the field, what cannot be sent:
an unknown merge field, a tag outside the sandbox, a lead Relay may not write to."""

from django import forms

from crm.relations import LimitedChoicesForm
from outreach import rendering
from outreach.models import EmailKind, EmailTemplate
from outreach.selectors import owns_templates, templates_usable_by
from outreach.sending import refusal

MERGE_HELP = "Merge fields: " + ", ".join(f"{{{{ {name} }}}}" for name in rendering.MERGE_FIELDS) + "."


class MergeFieldsForm(forms.Form):
    """A subject and body with merge fields, checked in the sandbox."""

    subject = forms.CharField(
        max_length=200, help_text="One line; merge fields allowed.", validators=[rendering.validate_merge_fields]
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20_000,
        help_text=MERGE_HELP,
        validators=[rendering.validate_merge_fields],
    )


class EmailTemplateForm(forms.ModelForm):
    """Marketing writes, edits and approves templates; a rep writes one-to-one templates for their own use."""

    class Meta:
        model = EmailTemplate
        fields = ["name", "purpose", "kind", "subject", "body", "approved"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "body": MERGE_HELP,
            "kind": "Marketing emails go only to people who agreed to them, with an unsubscribe link.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("subject", "body"):
            self.fields[name].validators.append(rendering.validate_merge_fields)
        if not owns_templates(user):
            del self.fields["approved"], self.fields["kind"]  # a rep's own: one-to-one, not approved


class ComposeForm(LimitedChoicesForm, MergeFieldsForm):
    """One email to one lead: a template's subject and body (or the sender's own words), edited at will."""

    field_order = ["template", "subject", "body"]
    template = forms.ModelChoiceField(
        EmailTemplate.objects.none(),
        required=False,
        empty_label="— write my own —",
        help_text="Its subject and body fill the fields below; edit them before sending.",
    )

    def __init__(self, *args, lead, **kwargs):
        self.lead = lead
        super().__init__(*args, **kwargs)

    def relation_choices(self, user):
        return {"template": templates_usable_by(user)}

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template")
        if reason := refusal(lead=self.lead, kind=template.kind if template else EmailKind.SALES):
            raise forms.ValidationError(reason, code="refused")
        return cleaned
