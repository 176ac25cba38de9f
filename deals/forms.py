from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MinValueValidator

from campaigns.models import Campaign
from campaigns.selectors import campaigns_usable_by
from crm import bounds
from crm.people import UserChoiceField, display_name
from crm.relations import LimitedChoicesForm
from crm.roles import SALES_REP, has_role, is_manager
from deals.models import MAX_POSITION, Activity, Deal, LostReason, Pipeline, Stage
from deals.selectors import DealFilters, deal_owners, deal_owners_for, stages_for_new_deals, stages_to_move_to

# Reasons a person picks when losing a deal.
LOST_REASON_CHOICES = [("", "Choose a reason…"), *LostReason.choices]


class DealFilterForm(forms.Form):
    """The board's and the list's filters, read from the query string."""

    owner = forms.ChoiceField(label="Owner", required=False)
    campaign = forms.ModelChoiceField(
        label="Campaign",
        queryset=Campaign.objects.only("id", "name").order_by("name"),
        required=False,
        empty_label="All campaigns",
    )
    close_month = forms.CharField(
        label="Expected close month", required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    closed = forms.ChoiceField(
        label="Closed deals",
        required=False,
        choices=[("", "Closed in the last 30 days"), ("all", "All closed deals")],
    )

    def __init__(self, data=None, *, user, with_stage=False, **kwargs):
        self.user = user
        if data is not None and not data.get("owner"):
            data = data.copy()  # a query string without an owner shows (and applies) the default
            data["owner"] = self.default_owner()
        super().__init__(data, **kwargs)
        owners = [(str(u.pk), display_name(u)) for u in deal_owners()]
        self.fields["owner"].choices = [("mine", "My deals"), ("team", "Team")] + owners
        if with_stage:
            self.fields["stage"] = forms.ModelChoiceField(
                label="Stage",
                queryset=Stage.objects.filter(pipeline__is_default=True),
                required=False,
                empty_label="All stages",
            )
            del self.fields["closed"]
        self.fields["owner"].initial = self.default_owner()
        for bound in self.fields.values():
            css = "form-select" if isinstance(bound.widget, forms.Select) else "form-control"
            bound.widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"

    def default_owner(self) -> str:
        return "mine" if has_role(self.user, SALES_REP) and not is_manager(self.user) else "team"

    def clean_close_month(self):
        value = self.cleaned_data["close_month"]
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            month_start = date(year, month, 1)
        except (ValueError, OverflowError):
            raise forms.ValidationError("Enter a month as YYYY-MM.") from None
        bounds.validate_date_in_range(month_start)
        return month_start

    def filters(self) -> DealFilters:
        """The filters to apply: what was valid in the query string, the defaults for the rest."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return DealFilters(
            owner=data.get("owner") or self.default_owner(),
            campaign=data.get("campaign"),
            close_month=data.get("close_month"),
            q=(data.get("q") or "").strip(),
            stage=data.get("stage"),
            all_closed=data.get("closed") == "all",
        )


class DealForm(LimitedChoicesForm, forms.ModelForm):
    """A deal's details; managers also pick the owner (reassignment). No lead: deals get theirs when an MQL
    is accepted, or through the API."""

    owner = UserChoiceField(label="Owner", queryset=get_user_model().objects.none(), required=False)

    class Meta:
        model = Deal
        fields = [
            "title",
            "company",
            "contact_name",
            "contact_email",
            "amount",
            "expected_close_date",
            "next_step",
            "source_campaign",
        ]
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].validators.append(MinValueValidator(0))
        self.fields["amount"].widget.attrs["min"] = 0
        if is_manager(self.user):
            self.fields["owner"].initial = self.instance.owner_id if self.instance.pk else self.user.pk
        else:
            del self.fields["owner"]  # only managers reassign deals
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save deal"))

    def relation_choices(self, user):
        return {"source_campaign": campaigns_usable_by(user).order_by("name"), "owner": deal_owners_for(user)}

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
        fields = ["kind", "subject", "due_date"]
        labels = {"kind": "Kind", "subject": "What happened or what to do", "due_date": "Due (tasks)"}
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        data = super().clean()
        if data.get("kind") == Activity.Kind.TASK and not data.get("due_date"):
            self.add_error("due_date", "A task needs a due date.")
        return data


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
