from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join

from campaigns.models import Campaign
from campaigns.selectors import campaigns_usable_by
from companies.models import Company
from crm.exports import XLSX_CONTENT_TYPE
from crm.relations import LimitedChoicesForm
from leads.imports.upload import FIELD_LABELS
from leads.models import CONTACT_FIELDS, Lead, LifecycleStage
from leads.selectors import MAX_SEARCH_WORDS, lead_owners_for, leads_writable_by

FORM_FIELDS = ("email", *CONTACT_FIELDS)


class LeadForm(forms.ModelForm):
    """Edit a lead by hand (a blank here clears the field: the user chose it)."""

    class Meta:
        model = Lead
        fields = [*FORM_FIELDS, "marketing_consent", "do_not_contact"]
        labels = {"marketing_consent": "Agreed to receive marketing emails", "do_not_contact": "Do not contact"}


# The contact fields as the model defines them (labels, lengths, choices), for forms that are no ModelForm.
ContactFields = type("ContactFields", (forms.Form,), forms.fields_for_model(Lead, fields=CONTACT_FIELDS))


class NewLeadForm(LimitedChoicesForm, ContactFields):
    """A lead entered by hand: goes through `capture_lead`, so an email already known merges into its lead."""

    field_order = ["email", *CONTACT_FIELDS]

    email = Lead._meta.get_field("email").formfield()
    campaign = forms.ModelChoiceField(
        Campaign.objects.none(), required=False, to_field_name="slug", help_text="The campaign that brought them."
    )
    marketing_consent = forms.BooleanField(required=False, label="Agreed to receive marketing emails")

    def relation_choices(self, user):
        return {"campaign": campaigns_usable_by(user)}


class CaptureForm(forms.Form):
    """The public web-to-lead form. `website` is a honeypot: hidden from people, filled in by bots."""

    first_name = Lead._meta.get_field("first_name").formfield(required=True)
    last_name = Lead._meta.get_field("last_name").formfield(required=True)
    email = Lead._meta.get_field("email").formfield(label="Work email")
    company = Lead._meta.get_field("company").formfield()
    job_title = Lead._meta.get_field("job_title").formfield()
    consent = forms.BooleanField(
        required=False, label="Send me news and offers by email (you can unsubscribe at any time)"
    )
    website = forms.CharField(required=False, label="Leave this field empty")


class LeadFilterForm(forms.Form):
    """The base of the lead list's filter form (its fields are `leads.filters.LeadListFilter`'s)."""

    def clean_q(self):
        q = self.cleaned_data["q"]
        if len(q.split()) > MAX_SEARCH_WORDS:
            raise ValidationError(f"Search for at most {MAX_SEARCH_WORDS} words.")
        return q


class BulkActionForm(LimitedChoicesForm, forms.Form):
    """A manager's action on the selected leads: give them to a rep, or move their stage with a reason."""

    ACTIONS = [("assign", "Assign owner"), ("stage", "Change stage")]

    leads = forms.ModelMultipleChoiceField(Lead.objects.none(), label="Selected leads")
    action = forms.ChoiceField(choices=ACTIONS)
    owner = forms.ModelChoiceField(None, required=False, label="New owner")
    stage = forms.ChoiceField(choices=[("", "—"), *LifecycleStage.choices], required=False, label="New stage")
    reason = forms.CharField(max_length=50, required=False, label="Reason")

    def relation_choices(self, user):
        return {"leads": leads_writable_by(user), "owner": lead_owners_for(user)}

    def clean_leads(self):
        leads = self.cleaned_data["leads"]
        if len(leads) > 100:
            raise ValidationError("Select at most 100 leads at a time.")
        return leads

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("owner"):
            self.add_error("owner", "Choose the rep who gets these leads.")
        if data.get("action") == "stage" and not data.get("stage"):
            self.add_error("stage", "Choose the new stage.")
        return data


class NoteForm(forms.Form):
    body = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="A CSV file in UTF-8 or an Excel workbook (.xlsx, its first sheet), with a header row naming the "
        "columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv," + XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        from django.conf import settings

        uploaded = self.cleaned_data["file"]
        if uploaded.size > settings.LEAD_IMPORT_MAX_BYTES:
            raise ValidationError(f"The file is larger than {filesizeformat(settings.LEAD_IMPORT_MAX_BYTES)}.")
        return uploaded


class ImportMappingForm(LimitedChoicesForm, forms.Form):
    """One select per column of the file, named after its header, pre-set to the guessed field, with a few of
    the column's values (`samples`, a list per column) under it."""

    campaign = forms.ModelChoiceField(
        Campaign.objects.none(),
        required=False,
        label="Campaign for every row",
        help_text="Used when the file has no campaign column (or the cell is empty).",
    )

    def __init__(self, *args, headers, mapping, samples=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— skip this column —"), *FIELD_LABELS.items()]
        self.columns = []
        for index, header in enumerate(headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"Column “{header or index + 1}”",
                initial=mapping.get(str(index), ""),
                help_text=sample_text(samples[index] if index < len(samples) else []),
            )
            self.columns.append(name)

    def relation_choices(self, user):
        return {"campaign": campaigns_usable_by(user)}

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("column_"): self.cleaned_data.get(name) or "" for name in self.columns}


SAMPLE_LENGTH = 40  # characters of a sample value shown


def sample_text(values: list[str]) -> str:
    """A column's sample values for its help text, escaped (the form's template shows help text as HTML)."""
    if not values:
        return "No value in the first rows."
    shown = [value if len(value) <= SAMPLE_LENGTH else value[: SAMPLE_LENGTH - 1] + "…" for value in values]
    return format_html("e.g. {}", format_html_join(" · ", "<q>{}</q>", ((value,) for value in shown)))


def add_validation_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on `form`: on its fields where they are the form's, else on the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class LinkCompanyForm(forms.Form):
    """Which company a lead works for, by its id; `unlink` leaves the lead without one."""

    company = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    unlink = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("unlink"):
            data["company"] = None
            return data
        if data.get("company") is None:
            if "company" not in self.errors:
                self.add_error("company", "Choose the company to link the lead to.")
            return data
        company = Company.objects.filter(pk=data["company"]).first()
        if company is None:
            self.add_error("company", "No company has this id (was it merged into another?).")
        data["company"] = company
        return data
