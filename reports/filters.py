"""The filters every report shares: a period (a preset or custom dates, in the site's time zone), a channel,
a campaign and an owner, read from the query string so that a report can be bookmarked and shared.

Views and API endpoints turn the query string into a `ReportFilters` through `ReportFilterForm`; the SQL
selectors (funnel.py, sales.py, feedback.py) take only that dataclass. Who may see what is decided here too:
a sales rep's filters always name the rep as the owner, whatever the query string says.
"""

import datetime
from dataclasses import dataclass, replace

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, F, Q, When
from django.utils import timezone

from campaigns.models import Campaign, Channel
from crm import bounds
from crm.people import UserChoiceField
from crm.roles import MANAGER, MARKETER, SALES_REP, has_role

PRESETS = [
    ("last_30", "Last 30 days"),
    ("last_90", "Last 90 days"),
    ("this_month", "This month"),
    ("this_quarter", "This quarter"),
    ("this_year", "This year"),
    ("custom", "Custom dates"),
]
DEFAULT_PRESET = "last_30"
# Who may open which report (row-level restriction: restrict_to_user below).
REPORT_VIEWERS = (MARKETER, SALES_REP, MANAGER)
SALES_VIEWERS = (SALES_REP, MANAGER)  # the sales report is per rep: not for marketers
CAMPAIGN_VIEWERS = (MARKETER, MANAGER)  # spend and revenue per campaign: marketing's and managers' report
MAX_DAYS = 3 * 366  # a longer custom range is refused: it would compare against a period before the data


def preset_range(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day (both included) of a preset period that ends today."""
    if preset == "last_90":
        return today - datetime.timedelta(days=89), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "this_quarter":
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1), today
    if preset == "this_year":
        return today.replace(month=1, day=1), today
    return today - datetime.timedelta(days=29), today


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class ReportFilters:
    """What a report covers. `date_to` is included; `owner_id` is forced to the rep for sales reps."""

    date_from: datetime.date
    date_to: datetime.date
    channel: str = ""
    campaign_id: int | None = None
    owner_id: int | None = None
    preset: str = DEFAULT_PRESET

    @property
    def start(self) -> datetime.datetime:
        """Midnight at the start of `date_from` in the site's time zone."""
        return start_of_day(self.date_from)

    @property
    def end(self) -> datetime.datetime:
        """Midnight after `date_to` (excluded) in the site's time zone."""
        return start_of_day(self.date_to + datetime.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous_period(self) -> "ReportFilters":
        """The same filters over the period of the same length that ends the day before this one starts."""
        date_to = self.date_from - datetime.timedelta(days=1)
        date_from = date_to - datetime.timedelta(days=self.days - 1)
        return replace(self, date_from=date_from, date_to=date_to, preset="custom")

    def in_range(self, field: str) -> Q:
        """`field` (a datetime path) falls in the period."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def default_filters(*, user=None, today: datetime.date | None = None) -> ReportFilters:
    """The last 30 days, everything the user may see."""
    today = today or timezone.localdate()
    date_from, date_to = preset_range(DEFAULT_PRESET, today)
    return restrict_to_user(ReportFilters(date_from=date_from, date_to=date_to), user)


def restrict_to_user(filters: ReportFilters, user) -> ReportFilters:
    """A sales rep (who is not also a manager or marketer) only ever sees the rows they own."""
    if user is not None and has_role(user, SALES_REP) and not has_role(user, MANAGER, MARKETER):
        return replace(filters, owner_id=user.pk)
    return filters


def sees_only_own_figures(user) -> bool:
    return has_role(user, SALES_REP) and not has_role(user, MANAGER, MARKETER)


# --- The channel of a lead -------------------------------------------------------------------------------


def lead_channel(prefix: str = ""):
    """A lead's channel: the channel it was captured from, else its first-touch campaign's channel."""
    return Case(
        When(~Q(**{f"{prefix}source_channel": ""}), then=F(f"{prefix}source_channel")),
        default=F(f"{prefix}first_touch_campaign__channel"),
    )


def lead_filter(filters: ReportFilters, prefix: str = "", *, owner: str | None = None) -> Q:
    """Channel, campaign (first touch) and owner conditions on a lead reached through `prefix`
    ("" for Lead itself, "lead__" from a hand-over or a deal). `owner` names the owner field to filter when
    the owner is not the lead's own (a hand-over's rep, a deal's owner)."""
    condition = Q()
    if filters.channel:
        condition &= Q(**{f"{prefix}source_channel": filters.channel}) | Q(
            **{f"{prefix}source_channel": "", f"{prefix}first_touch_campaign__channel": filters.channel}
        )
    if filters.campaign_id:
        condition &= Q(**{f"{prefix}first_touch_campaign_id": filters.campaign_id})
    if filters.owner_id:
        condition &= Q(**{owner or f"{prefix}owner_id": filters.owner_id})
    return condition


# --- The form -----------------------------------------------------------------------------------------------


def report_owners():
    """Users who can own leads or deals: everyone with a role."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[SALES_REP, MANAGER, MARKETER])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class ReportFilterForm(forms.Form):
    """The query string of a report. Invalid values are reported on the form and replaced by defaults."""

    period = forms.ChoiceField(choices=PRESETS, required=False, initial=DEFAULT_PRESET)
    default_preset = DEFAULT_PRESET  # a report whose periods differ (the forecast) sets both, and period_range
    # Bounded: the period's end (the day after date_to) and the previous period are computed from them.
    date_from = bounds.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Custom dates only."
    )
    date_to = bounds.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"), required=False, empty_label="All campaigns"
    )
    owner = UserChoiceField(queryset=report_owners(), required=False, empty_label="Everyone")

    def __init__(self, data=None, *, user=None, today=None, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.today = today or timezone.localdate()
        self.fields["owner"].queryset = report_owners()
        if user is not None and sees_only_own_figures(user):
            del self.fields["owner"]  # a rep's figures are always their own
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") != "custom":
            return cleaned
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        if not date_from or not date_to:
            self.add_error("date_from" if not date_from else "date_to", "Custom dates need both a From and a To date.")
        elif date_from > date_to:
            self.add_error("date_to", "The To date must be on or after the From date.")
        elif (date_to - date_from).days >= MAX_DAYS:
            self.add_error("date_to", f"Choose a period of at most {MAX_DAYS} days.")
        return cleaned

    def period_range(self, preset: str) -> tuple[datetime.date, datetime.date]:
        return preset_range(preset, self.today)

    def filters(self) -> ReportFilters:
        """The valid part of the input, with defaults where a value is missing or invalid."""
        self.is_valid()
        for name in self.errors.keys() & self.fields.keys():
            attrs = self.fields[name].widget.attrs  # Bootstrap's red border beside the error
            attrs["class"] = " ".join(dict.fromkeys([*attrs["class"].split(), "is-invalid"]))
        data = self.cleaned_data
        preset = data.get("period") or self.default_preset
        if preset == "custom" and not {"date_from", "date_to"} & set(self.errors):
            date_from, date_to = data["date_from"], data["date_to"]
        else:
            if preset == "custom":
                preset = self.default_preset
            date_from, date_to = self.period_range(preset)
        campaign, owner = data.get("campaign"), data.get("owner")
        filters = ReportFilters(
            date_from=date_from,
            date_to=date_to,
            channel=data.get("channel") or "",
            campaign_id=campaign.pk if campaign else None,
            owner_id=owner.pk if owner else None,
            preset=preset,
        )
        return restrict_to_user(filters, self.user)


def filters_from_query(query, *, user, form_class=ReportFilterForm):
    """The bound filter form (its errors are shown, beside what was typed) and the filters to run (defaults
    where input is bad). Dates without a period mean custom dates."""
    data = query.copy()
    if not data.get("period"):
        data["period"] = "custom" if data.get("date_from") or data.get("date_to") else form_class.default_preset
    form = form_class(data, user=user)
    filters = form.filters()
    typed_dates = data["period"] == "custom" and form.errors.keys() & {"date_from", "date_to"}
    if filters.preset != "custom" and not typed_dates:
        # Show the dates a preset covers. Custom dates with an error stay as typed, beside their error, for
        # the person to correct; the report meanwhile covers the default period (filter_form.html says so).
        data["period"] = filters.preset
        data["date_from"], data["date_to"] = filters.date_from.isoformat(), filters.date_to.isoformat()
        form.data = data
    return form, filters
