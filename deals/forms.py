from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MinValueValidator

from campaigns.selectors import campaigns_usable_by
from companies.models import Company
from companies.selectors import companies_visible_to
from crm import bounds
from crm.people import UserChoiceField
from crm.relations import LimitedChoicesForm
from crm.roles import is_manager
from deals.models import MAX_POSITION, Activity, Deal, ForecastCategory, LostReason, Pipeline, Stage
from deals.selectors import deal_owners_for, stages_for_new_deals, stages_to_move_to
from deals.services import DEAL_FIELDS

# Reasons a person picks when losing a deal.
LOST_REASON_CHOICES = [("", "Choose a reason…"), *LostReason.choices]


class DealFilterForm(forms.Form):
    """The form of the deals' filters (`deals.filters.DealFilter`), in Bootstrap's small controls. A value it
    cannot read leaves the field's initial value, the filter's default, in force; the page shows the error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        for name in self.errors:
            if self.fields[name].initial is not None:
                data[name] = self.fields[name].initial
        return data


class DealForm(LimitedChoicesForm, forms.ModelForm):
    """A deal's details; managers also pick the owner (reassignment). No lead: deals get theirs when an MQL
    is accepted, or through the API."""

    owner = UserChoiceField(label="Owner", queryset=get_user_model().objects.none(), required=False)

    class Meta:
        model = Deal
        fields = [name for name in DEAL_FIELDS if name != "lead"]
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"})}
        labels = {"company": "Company name", "account": "Company"}
        help_texts = {
            "account": "Left empty on a new deal, Relay picks the lead's company, else the one the contact's email "
            "domain or the company name names."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_companies()
        self.fields["amount"].validators.append(MinValueValidator(0))
        self.fields["amount"].widget.attrs["min"] = 0
        # A form sent without it (an older page, a script) keeps the deal's category.
        self.fields["forecast_category"].required = False
        if is_manager(self.user):
            self.fields["owner"].initial = self.instance.owner_id if self.instance.pk else self.user.pk
        else:
            del self.fields["owner"]  # only managers reassign deals
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save deal"))

    def clean_forecast_category(self):
        return self.cleaned_data["forecast_category"] or self.instance.forecast_category

    def relation_choices(self, user):
        return {
            "source_campaign": campaigns_usable_by(user).order_by("name"),
            "owner": deal_owners_for(user),
            "account": companies_visible_to(user),
        }

    def offer_companies(self) -> None:
        """Any company is valid, but the select offers a few, not 200,000: the deal's own, its lead's and
        those named like the deal's company name."""
        deal = self.instance
        wanted = Company.objects.filter(
            pk__in=[pk for pk in (deal.account_id, deal.lead and deal.lead.account_id) if pk]
        )
        if deal.company:
            wanted |= Company.objects.named(deal.company)
        field = self.fields["account"]
        field.widget.choices = [("", field.empty_label), *((c.pk, c.name) for c in wanted.order_by("name", "id")[:50])]

    def deal_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DealCreateForm(DealForm):
    field_order = [*DealForm.Meta.fields, "stage", "owner"]
    stage = forms.ModelChoiceField(
        label="Stage", queryset=Stage.objects.none(), required=False, empty_label="First stage"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs[0].value = "Create deal"

    def relation_choices(self, user):
        return {**super().relation_choices(user), "stage": stages_for_new_deals()}


class MoveForm(LimitedChoicesForm, forms.Form):
    """A stage move from the board (drag and drop or the card's select) or the deal page."""

    stage = forms.ModelChoiceField(label="Stage", queryset=Stage.objects.none())
    position = forms.IntegerField(
        label="Position", required=False, min_value=0, max_value=MAX_POSITION, widget=forms.HiddenInput
    )
    before = bounds.IdField(required=False, widget=forms.HiddenInput)
    lost_reason = forms.ChoiceField(label="Reason if lost", choices=LOST_REASON_CHOICES, required=False)
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, deal: Deal, **kwargs):
        self.deal = deal
        super().__init__(*args, **kwargs)

    def relation_choices(self, user):
        return {"stage": stages_to_move_to(self.deal)}


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "subject"]
        labels = {"kind": "Kind", "subject": "What happened"}


class StageForm(forms.ModelForm):
    probability = forms.IntegerField(label="Probability (%)", min_value=0, max_value=100)

    class Meta:
        model = Stage
        fields = ["name", "probability"]


class StageDeleteForm(LimitedChoicesForm, forms.Form):
    move_deals_to = forms.ModelChoiceField(label="Move its deals to", queryset=Stage.objects.none(), required=False)

    def __init__(self, *args, stage: Stage, **kwargs):
        self.stage = stage
        super().__init__(*args, **kwargs)

    def relation_choices(self, user):
        stage = self.stage
        if not is_manager(user):  # only managers edit the pipeline
            return {"move_deals_to": Stage.objects.none()}
        return {"move_deals_to": Stage.objects.filter(pipeline=stage.pipeline_id, kind=stage.kind).exclude(pk=stage.pk)}


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name", "rotting_days"]
        labels = {"name": "Pipeline name", "rotting_days": "Rotting after (days)"}
        widgets = {"rotting_days": forms.NumberInput(attrs={"min": 1})}

    def clean_rotting_days(self):
        value = self.cleaned_data["rotting_days"]
        if value < 1:
            raise forms.ValidationError("A deal rots after at least one idle day.")
        return value


class ForecastCategoryForm(forms.Form):
    """The forecast category alone: the board card's menu sets it in one click."""

    forecast_category = forms.ChoiceField(choices=ForecastCategory.choices)
