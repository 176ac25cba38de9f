"""Report-specific filter forms (the shared filters live in reports.filters)."""

from django import forms

from reports.filters import ReportFilterForm
from reports.funnel import SPLITS


class FunnelFilterForm(ReportFilterForm):
    split = forms.ChoiceField(label="Split by", choices=SPLITS, required=False)
