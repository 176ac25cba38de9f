"""The filters of leads: one FilterSet for the API's query parameters, extended for the list page's.

The two take different parameters for historical reasons that links and integrations now depend on (the
API's `campaign` is a slug matched on the first touch, the page's a campaign id matched on either touch;
the API's `created_after` is an instant, the page's `created_from` a day in the site's time zone), so the
page's FilterSet is the API's with the page's names and widgets. A filter given a value its form refuses
is left out (and, on the page, shown with its error); the API answers 400 instead.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, Channel
from crm import bounds
from crm.bounds import validate_date_in_range
from crm.filters import SortedListFilterMixin
from leads.forms import LeadFilterForm
from leads.models import CaptureSource, Lead, LeadImport, LifecycleStage
from leads.selectors import SORTS, can_edit_leads, sales_reps, search_leads


class LeadFilter(django_filters.FilterSet):
    """The API's filters of `/api/v1/leads/`."""

    email = django_filters.CharFilter(method="filter_email", help_text="Exact email, any case.")
    campaign = django_filters.CharFilter(
        field_name="first_touch_campaign__slug", help_text="Slug of the first-touch campaign."
    )
    score_min = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    score_max = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    created_after = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", validators=[validate_date_in_range]
    )
    created_before = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", validators=[validate_date_in_range]
    )

    class Meta:
        model = Lead
        fields = ["stage", "source", "source_channel", "owner"]

    def filter_email(self, queryset, name, value):
        return queryset.with_email(value)


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class DayFilter(django_filters.Filter):
    """A day typed on the page, as the half-open range of instants it covers in the site's time zone (so
    that the created_at index is used): `from` starts at its first instant, `to` ends after its last."""

    field_class = bounds.DateField

    def __init__(self, *, ends: bool = False, **kwargs):
        self.ends = ends
        super().__init__(field_name="created_at", widget=forms.DateInput(attrs={"type": "date"}), **kwargs)

    def filter(self, queryset, value: date | None):
        if not value:
            return queryset
        if self.ends:
            return queryset.filter(created_at__lt=start_of(value + timedelta(days=1)))
        return queryset.filter(created_at__gte=start_of(value))


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


SORT_CHOICES = [
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("score", "Highest score"),
    ("score_low", "Lowest score"),
]


def imports_seen_by(user):
    return LeadImport.objects.all() if can_edit_leads(user) else LeadImport.objects.none()


class LeadListFilter(SortedListFilterMixin, LeadFilter):
    """The lead list page's filters: a search, the API's filters under the page's names and widgets, and the
    sort (which `keyset_page` applies, not a filter)."""

    email = created_after = created_before = None  # the API's only

    q = django_filters.CharFilter(
        label="Search", method="search", widget=forms.TextInput(attrs={"placeholder": "Name, email or company"})
    )
    stage = django_filters.ChoiceFilter(label="Stage", choices=LifecycleStage.choices, empty_label="Any stage")
    source = django_filters.ChoiceFilter(label="Source", choices=CaptureSource.choices, empty_label="Any source")
    channel = django_filters.ChoiceFilter(
        label="Channel", field_name="source_channel", choices=Channel.choices, empty_label="Any channel"
    )
    campaign = django_filters.ModelChoiceFilter(
        label="Campaign", queryset=Campaign.objects.all(), empty_label="Any campaign", method="touched_by"
    )
    owner = django_filters.ModelChoiceFilter(
        label="Owner", queryset=lambda request: sales_reps(), empty_label="Any owner"
    )
    score_min = IntegerFilter(label="Score from", field_name="score", lookup_expr="gte")
    score_max = IntegerFilter(label="Score to", field_name="score", lookup_expr="lte")
    # The people of one company (its page's "show all" link): the company's id, kept in a hidden field.
    company = IntegerFilter(label="Company", field_name="account", widget=forms.HiddenInput, min_value=1)
    created_from = DayFilter(label="Created from")
    created_to = DayFilter(label="Created to", ends=True)
    SORTS, DEFAULT_SORT = SORTS, "newest"
    sort = django_filters.ChoiceFilter(label="Sort", choices=SORT_CHOICES, empty_label=None, method="keep_order")
    # The leads an import created or updated last, from its summary; among the imports the user may see.
    lead_import = django_filters.ModelChoiceFilter(
        label="Import", queryset=lambda request: imports_seen_by(request.user), widget=forms.HiddenInput
    )

    class Meta:
        model = Lead
        fields = []
        form = LeadFilterForm

    def search(self, queryset, name, value):
        return search_leads(queryset, value)

    def touched_by(self, queryset, name, campaign):
        return queryset.filter(Q(first_touch_campaign=campaign) | Q(latest_touch_campaign=campaign))
