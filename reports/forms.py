"""Report-specific filter forms (the shared filters live in reports.filters)."""

from django import forms

from reports import forecast
from reports.accounts import funnel as account_funnel
from reports.campaigns import ATTRIBUTIONS, VIEWS
from reports.filters import ReportFilterForm
from reports.funnel import SPLITS


class FunnelFilterForm(ReportFilterForm):
    split = forms.ChoiceField(label="Split by", choices=SPLITS, required=False)


class CampaignReportFilterForm(ReportFilterForm):
    attribution = forms.ChoiceField(
        label="Attribution",
        choices=ATTRIBUTIONS,
        required=False,
        help_text="First touch credits the campaign that brought the lead; last touch the latest one.",
    )
    view = forms.ChoiceField(
        label="Count",
        choices=VIEWS,
        required=False,
        help_text="Cohort follows the leads created in the period; activity counts what happened in it.",
    )


class AccountFunnelFilterForm(ReportFilterForm):
    view = forms.ChoiceField(
        label="Count",
        choices=account_funnel.VIEWS,
        required=False,
        help_text="Cohort: companies of the people created in the period; activity: of the people who engaged in it.",
    )


class ForecastFilterForm(ReportFilterForm):
    """Whole quarters, ahead as well as behind, and the owner: the forecast counts deals by their expected close
    month and snapshots by owner, so neither the channel nor the campaign applies."""

    period = forms.ChoiceField(
        choices=forecast.FORECAST_PRESETS, required=False, initial=forecast.DEFAULT_FORECAST_PRESET
    )
    default_preset = forecast.DEFAULT_FORECAST_PRESET

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["channel"], self.fields["campaign"]
        self.fields["date_from"].help_text = "Custom dates only; whole months are shown."

    def period_range(self, preset: str):
        return forecast.forecast_range(preset, self.today)
