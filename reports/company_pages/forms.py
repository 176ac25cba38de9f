"""The company form (create and edit, with its web domains), and the merge form."""

from django import forms

from companies.domains import domain_key, registrable_domain
from companies.models import Company
from companies.selectors import company_owners_for
from crm.people import UserChoiceField
from crm.relations import LimitedChoicesForm


def domains_in(text: str) -> list[str]:
    """The web domains typed in `text` (separated by commas or spaces), in the form Relay compares them."""
    return [text for text in text.replace(",", " ").split() if text]


class CompanyForm(LimitedChoicesForm, forms.ModelForm):
    add_domains = forms.CharField(
        label="Add web domains",
        required=False,
        max_length=1000,
        help_text="Such as acme.com; several separated by commas. People with an email there join the company.",
    )
    remove_domains = forms.MultipleChoiceField(
        label="Remove web domains", required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Company
        fields = ["name", "industry", "size_band", "country", "owner"]
        field_classes = {"owner": UserChoiceField}
        error_messages = {"name": {"required": "Give the company a name."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [d.domain for d in self.instance.domains.all()] if self.instance.pk else []
        self.fields["remove_domains"].choices = [(domain, domain) for domain in current]
        if not current:
            del self.fields["remove_domains"]
        if not self.instance.pk:
            self.fields["owner"].initial = self.user.pk

    def relation_choices(self, user):
        return {"owner": company_owners_for(user)}

    def clean_add_domains(self):
        domains = domains_in(self.cleaned_data["add_domains"])
        wrong = [text for text in domains if not registrable_domain(domain_key(text))]
        if wrong:
            raise forms.ValidationError(f"{', '.join(wrong)}: not a web domain. Enter one such as acme.com.")
        return domains

    def service_kwargs(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        return {
            "data": data,
            "add_domains": self.cleaned_data["add_domains"],
            "remove_domains": self.cleaned_data.get("remove_domains", []),
        }


class MergeForm(forms.Form):
    """The duplicate to merge into the company on the page, by its id (found by the search beside it)."""

    merge = forms.IntegerField(label="Company to merge in", min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, keep: Company, **kwargs):
        self.keep = keep
        super().__init__(*args, **kwargs)

    def clean_merge(self):
        pk = self.cleaned_data["merge"]
        if pk == self.keep.pk:
            raise forms.ValidationError("A company cannot be merged into itself.")
        other = Company.objects.filter(pk=pk).first()
        if other is None:
            raise forms.ValidationError("No company has this id (was it merged already?).")
        return other


class PersonForm(forms.Form):
    lead = forms.IntegerField(min_value=1, max_value=2**63 - 1)
