from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from companies.fit import OPERATORS, InvalidCompanyRule
from companies.fit import rule_values as company_rule_values
from companies.models import AccountSettings, CompanyFitRule
from crm.bounds import MAX_SMALL
from leads.models import EngagementRule, FitRule, ScoringSettings
from leads.scoring.rules import InvalidRule, rule_values


def at_most(form, name: str, largest: int) -> None:
    """Refuse numbers above what the column holds on PostgreSQL, on SQLite too, which stores any: there a
    half-life or an SLA of 2^40 overflowed the date arithmetic of every later request (a 500)."""
    form.fields[name].validators.append(MaxValueValidator(largest))
    form.fields[name].widget.attrs["max"] = largest


class ScoringSettingsForm(forms.ModelForm):
    class Meta:
        model = ScoringSettings
        fields = ["mql_threshold", "half_life_days"]
        labels = {"half_life_days": "Half-life (days)"}
        widgets = {
            "mql_threshold": forms.NumberInput(attrs={"min": 1}),
            "half_life_days": forms.NumberInput(attrs={"min": 1}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        at_most(self, "half_life_days", MAX_SMALL)
        at_most(self, "mql_threshold", 2**31 - 1)

    def clean_half_life_days(self):
        value = self.cleaned_data["half_life_days"]
        if value < 1:
            raise forms.ValidationError("The half-life must be at least one day.")
        return value

    def clean_mql_threshold(self):
        value = self.cleaned_data["mql_threshold"]
        if value < 1:
            raise forms.ValidationError("The threshold must be at least 1 point.")
        return value


class FitRuleForm(forms.ModelForm):
    class Meta:
        model = FitRule
        fields = ["field", "operator", "value", "points"]
        # One row per rule in a table: the column headers are the labels, repeated for screen readers.
        widgets = {
            "field": forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": "Field"}),
            "operator": forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": "Operator"}),
            "value": forms.TextInput(attrs={"class": "form-control form-control-sm", "aria-label": "Value"}),
            "points": forms.NumberInput(attrs={"class": "form-control form-control-sm points", "aria-label": "Points"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "DELETE" in self.fields:
            self.fields["DELETE"].widget.attrs.update({"class": "form-check-input", "aria-label": "Delete this rule"})

    def clean(self):
        cleaned = super().clean()
        operator, field = cleaned.get("operator"), cleaned.get("field")
        if operator == FitRule.Operator.BETWEEN and field and field != FitRule.Field.COMPANY_SIZE:
            self.add_error("operator", "“is between” works on company size bands only.")
        elif operator and cleaned.get("value"):
            try:
                rule_values(FitRule(field=field, operator=operator, value=cleaned["value"]))
            except InvalidRule as exc:
                self.add_error("value", str(exc))
        return cleaned


FitRuleFormSet = forms.modelformset_factory(FitRule, form=FitRuleForm, extra=1, can_delete=True)
EngagementRuleFormSet = forms.modelformset_factory(
    EngagementRule, fields=["points"], extra=0, widgets={"points": forms.NumberInput(attrs={"class": "form-control"})}
)


# --- Accounts: company fit rules and when people and accounts count as engaged (companies app) ---------------


class AccountSettingsForm(forms.ModelForm):
    class Meta:
        model = AccountSettings
        fields = ["engaged_person_points", "engaged_account_score"]
        labels = {
            "engaged_person_points": "Engaged person (points)",
            "engaged_account_score": "Engaged account (account score)",
        }
        widgets = {
            "engaged_person_points": forms.NumberInput(attrs={"min": 0}),
            "engaged_account_score": forms.NumberInput(attrs={"min": 0}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        at_most(self, "engaged_person_points", MAX_SMALL)
        at_most(self, "engaged_account_score", 2**31 - 1)


class CompanyFitRuleForm(forms.ModelForm):
    class Meta:
        model = CompanyFitRule
        fields = ["field", "operator", "value", "points"]
        widgets = FitRuleForm.Meta.widgets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        at_most(self, "points", MAX_SMALL)
        self.fields["points"].validators.append(MinValueValidator(-MAX_SMALL))
        if "DELETE" in self.fields:
            self.fields["DELETE"].widget.attrs.update({"class": "form-check-input", "aria-label": "Delete this rule"})

    def clean(self):
        cleaned = super().clean()
        field, operator, value = cleaned.get("field"), cleaned.get("operator"), cleaned.get("value")
        if field and operator and value:
            try:
                company_rule_values(CompanyFitRule(field=field, operator=operator, value=value))
            except InvalidCompanyRule as exc:
                self.add_error("operator" if operator not in OPERATORS[field] else "value", str(exc))
        return cleaned


CompanyFitRuleFormSet = forms.modelformset_factory(CompanyFitRule, form=CompanyFitRuleForm, extra=1, can_delete=True)
