"""Which companies a list shows: the company list's filters and the API's query parameters alike.

Every filter reads a stored column (the roll-ups are on Company, see its docstring), so that each is an
indexed or cheap test at 200,000 companies. A value a filter refuses is left out on the page (and shown with
its error) and answered 400 in the API.
"""

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, TextField
from django.db.models.functions import Cast, Lower

from companies.models import Company, CompanyDomain, CompanySize
from crm.filters import SortedListFilterMixin
from crm.people import UserChoiceField
from crm.roles import ROLES

MAX_SEARCH_WORDS = 10
# Beyond this many companies whose domain matches a word, the search reads them in a subquery.
MAX_DOMAIN_MATCHES = 500

# sort name → (label, ordering): each ordering is an index of Company's (Meta.indexes).
SORTS = {
    "score": ("Highest account score", ["-account_score", "-id"]),
    "pipeline": ("Largest open pipeline", ["-open_pipeline", "-id"]),
    "revenue": ("Most revenue won", ["-won_revenue", "-id"]),
    "people": ("Most people", ["-people_count", "-id"]),
    "name": ("Name", [Lower("name"), "id"]),
}
DEFAULT_SORT = "score"


def top_stage_choices() -> list[tuple[str, str]]:
    """(rank, label) of the stage of a company's most advanced person: a lead's lifecycle stages in their order,
    ranked from 1 (`Company.top_stage_rank`; 0 is a company without people). Read from the lead model through
    the app registry: companies sit upstream of leads."""
    stages = apps.get_model("leads", "Lead")._meta.get_field("stage").choices
    return [("0", "No people yet"), *((str(rank), label) for rank, (_, label) in enumerate(stages, start=1))]


def search_companies(queryset, text: str):
    """Companies with every word of `text` in their name, one of their domains or one of their other names."""
    words = text.split()[:MAX_SEARCH_WORDS]
    if words:
        queryset = queryset.alias(aliases_text=Cast("aliases", TextField()))
    for word in words:
        # The domains first, through their trigram index (few rows): their companies' ids as a list let
        # PostgreSQL OR three index scans (name and aliases' trigram index, the primary key), where a subquery
        # would make it filter every company in the sort's order. Unordered: in the domains' order PostgreSQL
        # would walk their unique index and filter 125,000 rows for a word in 5,000 domains (274 ms).
        domains = CompanyDomain.objects.filter(domain__icontains=word).order_by().values_list("company_id", flat=True)
        ids = list(domains[: MAX_DOMAIN_MATCHES + 1])
        by_domain = Q(pk__in=ids) if len(ids) <= MAX_DOMAIN_MATCHES else Q(pk__in=domains)
        queryset = queryset.filter(Q(name__icontains=word) | Q(aliases_text__icontains=word) | by_domain)
    return queryset


def sorted_companies(queryset, sort: str):
    return queryset.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT])[1])


class CompanyFilterForm(forms.Form):
    """Bootstrap's inputs on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")


class OpenDealWidget(django_filters.widgets.BooleanWidget):
    """true/false in the URL (and the API), said in words on the page."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "Any"), ("true", "With an open deal"), ("false", "Without an open deal")]


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def owners(request):
    return get_user_model().objects.filter(groups__name__in=ROLES).distinct().order_by("first_name", "username")


class CompanyFilter(SortedListFilterMixin, django_filters.FilterSet):
    """The company list's and the API's filters; `sort` is applied by `sorted_companies`, not here."""

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Name, domain or other name"}),
    )
    industry = django_filters.CharFilter(label="Industry", lookup_expr="iexact", max_length=100)
    size = django_filters.ChoiceFilter(
        label="Size", field_name="size_band", choices=CompanySize.choices, empty_label="Any size"
    )
    country = django_filters.CharFilter(label="Country", lookup_expr="iexact", max_length=60)
    owner = OwnerFilter(label="Owner", queryset=owners, empty_label="Any owner")
    has_open_deal = django_filters.BooleanFilter(
        label="Open deal",
        method="with_open_deal",
        widget=OpenDealWidget(),
        help_text="true: companies with an open deal; false: without.",
    )
    score_min = IntegerFilter(label="Score from", field_name="account_score", lookup_expr="gte", min_value=-(10**9))
    score_max = IntegerFilter(label="Score to", field_name="account_score", lookup_expr="lte", max_value=10**9)
    top_stage = django_filters.ChoiceFilter(
        label="Most advanced person",
        method="with_top_stage",
        choices=top_stage_choices,
        empty_label="Any stage",
        help_text="Rank of the stage of its most advanced person: 1 subscriber … (lead stage order); 0 no people.",
    )
    SORTS, DEFAULT_SORT = SORTS, DEFAULT_SORT
    sort = django_filters.ChoiceFilter(
        label="Sort",
        choices=[(name, label) for name, (label, _) in SORTS.items()],
        empty_label=None,
        method="keep_order",
    )

    class Meta:
        model = Company
        fields = []
        form = CompanyFilterForm

    def search(self, queryset, name, value):
        return search_companies(queryset, value)

    def with_open_deal(self, queryset, name, value):
        return queryset.filter(open_deals__gt=0) if value else queryset.filter(open_deals=0)

    def with_top_stage(self, queryset, name, value: str):
        return queryset.filter(top_stage_rank=int(value))
