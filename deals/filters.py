"""Which deals a list shows, read from the query string: one FilterSet for the board, the deal list (and its
CSV export) and the API."""

import copy
from datetime import date, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from campaigns.models import Campaign
from crm import bounds
from crm.people import UserChoiceField
from crm.roles import SALES_REP, has_role, is_manager
from deals.forms import DealFilterForm
from deals.models import Deal, Stage
from deals.selectors import deal_owners, deals_visible_to

RECENTLY_CLOSED_DAYS = 30  # the board shows deals closed this recently (unless asked for all)


def default_owner(user) -> str:
    """Whose deals a page shows first: a rep their own, everyone else the team's."""
    return "mine" if has_role(user, SALES_REP) and not is_manager(user) else "team"


class _OwnerChoices(ModelChoiceIterator):
    def __iter__(self):
        yield ("mine", "My deals")
        yield ("team", "Team")
        if self.field.offered is None:
            yield from super().__iter__()
        else:
            yield from (self.choice(user) for user in self.field.offered)

    def __len__(self):
        return 2 + (super().__len__() if self.field.offered is None else len(self.field.offered))

    def __bool__(self):
        return True


class OwnerField(UserChoiceField):
    """On a page, "mine", "team" (kept as they are) or one of the users it offers (`offered`, read once for
    both its select and the check of what was chosen); in the API, any user of `queryset`, read by id."""

    iterator = _OwnerChoices
    offered = None

    def to_python(self, value):
        if self.offered is None or value in self.empty_values:
            return super().to_python(value)
        if value in ("mine", "team"):
            return value
        chosen = next((user for user in self.offered if str(user.pk) == str(value)), None)
        if chosen is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return chosen


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = OwnerField


class MonthField(forms.CharField):
    """A month typed as YYYY-MM, cleaned to its first day."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            month_start = date(year, month, 1)
        except (ValueError, OverflowError):
            raise forms.ValidationError("Enter a month as YYYY-MM.") from None
        bounds.validate_date_in_range(month_start)
        return month_start


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__year": value.year, f"{self.field_name}__month": value.month})


class ClosedFilter(django_filters.Filter):
    """The board's closed deals: those closed in the last RECENTLY_CLOSED_DAYS days (empty), or "all"."""

    field_class = forms.ChoiceField

    def filter(self, qs, value):
        if value == "all":
            return qs
        recently = timezone.now() - timedelta(days=RECENTLY_CLOSED_DAYS)
        return qs.filter(Q(stage__kind=Stage.Kind.OPEN) | Q(closed_at__gte=recently))


class DealFilter(django_filters.FilterSet):
    """The deals a list shows. The API reads `stage`, `owner`, `source_campaign` and `lead` and answers 400 to
    a value it cannot read; a page (`page="board"` or `"list"`) reads its own filters, starts from the user's
    default owner when the query string names none, and keeps a filter's default (showing the error) for a
    value it cannot read."""

    owner = OwnerFilter(label="Owner", method="filter_owner", queryset=get_user_model().objects.all(), empty_label=None)
    stage = django_filters.ModelChoiceFilter(label="Stage", queryset=Stage.objects.all(), empty_label="All stages")

    class Meta:
        model = Deal
        fields = ["stage", "owner", "source_campaign", "lead"]
        form = DealFilterForm

    # What the pages read besides the API's filters (outside the class's own, so the API neither reads nor
    # documents them), and which filters each page reads, in the order it shows them.
    PAGE_FILTERS = {
        "campaign": django_filters.ModelChoiceFilter(
            field_name="source_campaign",
            label="Campaign",
            queryset=Campaign.objects.only("id", "name").order_by("name"),
            empty_label="All campaigns",
        ),
        "close_month": MonthFilter(
            field_name="expected_close_date",
            label="Expected close month",
            widget=forms.DateInput(attrs={"type": "month"}),
        ),
        "q": django_filters.CharFilter(
            label="Search", method="search", widget=forms.TextInput(attrs={"type": "search"})
        ),
        "closed": ClosedFilter(
            label="Closed deals",
            choices=[("", f"Closed in the last {RECENTLY_CLOSED_DAYS} days"), ("all", "All closed deals")],
            initial="",
        ),
    }
    PAGES = {
        "board": ("owner", "campaign", "close_month", "q", "closed"),
        "list": ("owner", "campaign", "close_month", "q", "stage"),
    }

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, page=None):
        self.page = page
        if page:
            self.default_owner = default_owner(request.user)
            if not data.get("owner"):
                data = data.copy()
                data["owner"] = self.default_owner
            queryset = deals_visible_to(request.user) if queryset is None else queryset
        super().__init__(data, queryset, request=request, prefix=prefix)
        if page:
            extra = copy.deepcopy(self.PAGE_FILTERS)
            for filter_ in extra.values():
                filter_.model, filter_.parent = Deal, self
            self.filters = {name: self.filters.get(name) or extra[name] for name in self.PAGES[page]}

    @property
    def form(self):
        built = hasattr(self, "_form")
        form = super().form
        if self.page and not built:  # a page offers the deals' owners and the default pipeline's stages
            owner = form.fields["owner"]
            owner.offered, owner.initial = list(deal_owners()), self.default_owner
            owner.error_messages["invalid_choice"] = forms.ChoiceField.default_error_messages["invalid_choice"]
            if "stage" in form.fields:
                form.fields["stage"].queryset = Stage.objects.filter(pipeline__is_default=True)
        return form

    def filter_owner(self, queryset, name, value):
        if value == "mine":
            return queryset.filter(owner=self.request.user)
        if value == "team":
            return queryset
        return queryset.filter(owner=value)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(company__icontains=value) | Q(contact_name__icontains=value)
        )
