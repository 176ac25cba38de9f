from django import forms

from companies.domains import domain_key
from companies.models import PersonalEmailDomain


class PersonalDomainForm(forms.Form):
    """A domain for the managers' list: free mail, disposable, or a company's (an exception to the shipped list)."""

    domain = forms.CharField(label="Email domain", max_length=253, help_text="As in the address: gmail.com")
    kind = forms.ChoiceField(label="Kind", choices=PersonalEmailDomain.Kind.choices)

    def clean_domain(self):
        key = domain_key(self.cleaned_data["domain"])
        if not key:
            raise forms.ValidationError("Enter an email domain, such as gmail.com.")
        return key
