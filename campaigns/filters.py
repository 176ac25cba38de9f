"""Which campaigns a list shows: the campaign page's filter form and the API's query parameters alike."""

import django_filters
from django import forms

from campaigns.forms import DATE_INPUT
from campaigns.models import Campaign, Channel
from campaigns.selectors import campaign_owners
from crm import bounds
from crm.people import UserChoiceField

ARCHIVED = "archived"


class FilterForm(forms.Form):
    """Bootstrap's small inputs on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class DayFilter(django_filters.DateFilter):
    field_class = bounds.DateField


class CampaignFilter(django_filters.FilterSet):
    """Archived campaigns only when asked for (status=archived: only them; archived=1: them too); a period
    keeps the campaigns whose run overlaps it. An invalid value is left out on the page, a 400 in the API."""

    channel = django_filters.ChoiceFilter(choices=Channel.choices, empty_label="All channels")
    status = django_filters.ChoiceFilter(
        choices=[*Campaign.Status.choices, (ARCHIVED, "Archived")], empty_label="All statuses", method="with_status"
    )
    owner = OwnerFilter(queryset=lambda request: campaign_owners(), empty_label="All owners")
    date_from = DayFilter(label="From", widget=DATE_INPUT, method="running_until_at_least")
    date_to = DayFilter(label="To", widget=DATE_INPUT, method="started_by")

    class Meta:
        model = Campaign
        fields = ["channel", "status", "owner"]
        form = FilterForm

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("status") != ARCHIVED and self.data.get("archived") != "1":
            queryset = queryset.active()
        return super().filter_queryset(queryset)

    def with_status(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=False) if value == ARCHIVED else queryset.filter(status=value)

    def running_until_at_least(self, queryset, name, value):
        return queryset.exclude(end_date__lt=value)

    def started_by(self, queryset, name, value):
        return queryset.filter(start_date__lte=value)

    def period(self) -> dict:
        """The valid dates, for the figures of the same period."""
        self.form.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        return {"date_from": data.get("date_from"), "date_to": data.get("date_to")}


class CampaignApiFilter(CampaignFilter):
    """In the API, date_from and date_to choose the figures' period (with their own bounds), not the list."""

    date_from = None
    date_to = None
