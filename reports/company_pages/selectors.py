"""Reads of the company list and the company page: a page of companies with its count, the people, the deals
with their totals, and one timeline of everything that happened at the company."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from companies.filters import sorted_companies, top_stage_choices
from companies.models import Company
from crm.actors import actor_name
from crm.bounds import parse_datetime_in_range
from crm.people import display_name
from deals.models import Activity, Deal, DealStageChange, Stage
from leads.models import Lead, LeadEvent, LeadNote, LeadStageChange
from leads.selectors import (
    PAGE_COUNT_LIMIT,
    ListCount,
    TimelineEntry,
    activity_entry,
    email_entry,
    estimated_count,
    exact_count,
)
from outreach.models import Email

PAGE_SIZE = 25
# Pages are read by OFFSET through the sort's index: page 400 (10,000 companies in) is as far as a person pages.
MAX_PAGE = 400
PEOPLE_SHOWN = 25
DEALS_SHOWN = 50
TIMELINE_LIMIT = 50


@dataclass
class CompanyPage:
    rows: list
    number: int
    has_next: bool
    count: ListCount


def page_number(text) -> int:
    return int(text) if isinstance(text, str) and text.isdigit() and 0 < int(text) <= MAX_PAGE else 1


def company_page(queryset, *, sort: str, number: int) -> CompanyPage:
    """One page of companies in the sort's order, and how many there are: exactly up to PAGE_COUNT_LIMIT
    (reading at most one more row), beyond it PostgreSQL's estimate (no row read): no COUNT of 200,000 rows."""
    ordered = sorted_companies(queryset, sort).select_related("owner").prefetch_related("domains")
    start = (number - 1) * PAGE_SIZE
    rows = list(ordered[start : start + PAGE_SIZE + 1])
    exact = exact_count(queryset, PAGE_COUNT_LIMIT)
    if exact is not None:
        count = ListCount(PAGE_COUNT_LIMIT, exact=exact)
    else:
        estimate = estimated_count(queryset.order_by())
        count = ListCount(PAGE_COUNT_LIMIT, estimate=estimate if estimate > PAGE_COUNT_LIMIT else None)
    return CompanyPage(
        rows=with_stage_labels(rows[:PAGE_SIZE]), number=number, has_next=len(rows) > PAGE_SIZE, count=count
    )


def with_stage_labels(companies: list[Company]) -> list[Company]:
    """Each company with `top_stage_label`: the stage of its most advanced person, as people read it."""
    labels = dict(top_stage_choices())
    for company in companies:
        company.top_stage_label = labels.get(str(company.top_stage_rank), "—")
    return companies


def company_with_details(queryset):
    return queryset.select_related("owner").prefetch_related("domains")


def people_of(company: Company, limit: int = PEOPLE_SHOWN) -> list[Lead]:
    """The company's people, the most advanced (highest score) first."""
    return list(company.people.select_related("owner").order_by("-score", "-id")[:limit])


def _money(**filters):
    return Coalesce(Sum("amount", filter=Q(**filters)), Value(Decimal(0)), output_field=DecimalField())


def deal_totals(company: Company) -> dict:
    """How many open, won and lost deals the company has and their amounts: one SQL aggregate, read live."""
    kinds = {"open": Stage.Kind.OPEN, "won": Stage.Kind.WON, "lost": Stage.Kind.LOST}
    aggregates = {}
    for name, kind in kinds.items():
        aggregates[f"{name}_count"] = Count("pk", filter=Q(stage__kind=kind))
        aggregates[f"{name}_amount"] = _money(stage__kind=kind)
    return Deal.objects.filter(account=company).aggregate(**aggregates)


def deals_of(company: Company, limit: int = DEALS_SHOWN) -> list[Deal]:
    """The company's deals: open ones first, each group newest first."""
    open_first = Case(When(stage__kind=Stage.Kind.OPEN, then=Value(0)), default=Value(1))
    deals = company.deals.select_related("stage", "owner")
    return list(deals.order_by(open_first, "-created_at", "-id")[:limit])


def timeline_cursor(text) -> datetime | None:
    return parse_datetime_in_range(text) if text else None


def company_timeline(company: Company, *, before: datetime | None = None, limit: int = TIMELINE_LIMIT):
    """Every person's engagement, notes, stage changes and emails and every deal's activity and moves, newest
    first: the latest `limit` entries older than `before`. Six queries, each reading at most `limit` rows through
    its (record, time) index, whatever the company's size."""
    people = Lead.objects.filter(account=company).values("pk")
    deals = Deal.objects.filter(account=company).values("pk")
    until = {} if before is None else {"lt": before}
    events = LeadEvent.objects.filter(lead__in=people, **_time("occurred_at", until))
    if before is None:
        events = events.filter(**_newest_events_floor(people, limit))
    entries = [
        *(
            _event_entry(event)
            for event in events.select_related("lead", "campaign").order_by("-occurred_at", "-id")[:limit]
        ),
        *(
            _note_entry(note)
            for note in _newest(LeadNote.objects.filter(lead__in=people), "created_at", until, limit, "lead", "author")
        ),
        *(
            _stage_entry(change)
            for change in _newest(LeadStageChange.objects.filter(lead__in=people), "at", until, limit, "lead", "by")
        ),
        *(
            activity_entry(activity)
            for activity in _newest(Activity.objects.filter(deal__in=deals), "at", until, limit, "deal", "by")
        ),
        *(
            email_entry(email, person=_person(email.lead))
            for email in _newest(Email.objects.filter(lead__in=people), "queued_at", until, limit, "lead", "sender")
        ),
        *(
            _deal_move_entry(move)
            for move in _newest(DealStageChange.objects.filter(deal__in=deals), "at", until, limit, "deal", "by")
        ),
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _time(column: str, until: dict) -> dict:
    return {f"{column}__{op}": value for op, value in until.items()}


def _newest(queryset, column, until, limit, *related):
    return queryset.filter(**_time(column, until)).select_related(*related).order_by(f"-{column}", "-id")[:limit]


def _newest_events_floor(people, limit: int) -> dict:
    """A lower bound of the newest `limit` events' times, from the people's `last_event_at`: the `limit` people
    whose newest event is latest have `limit` events at or after the latest of those times, so no newer event is
    missed; the events query then reads a short stretch of each person's (lead, time) index, not all of it."""
    newest = (
        Lead.objects.filter(pk__in=people, last_event_at__isnull=False)
        .order_by("-last_event_at")
        .values_list("last_event_at", flat=True)[limit - 1 : limit]
    )
    floor = next(iter(newest), None)
    return {"occurred_at__gte": floor} if floor else {}


def _person(lead) -> str:
    return lead.full_name or lead.email


def _event_entry(event) -> TimelineEntry:
    campaign = f" · Campaign: {event.campaign.name}" if event.campaign else ""
    return TimelineEntry(
        event.occurred_at, "event", event.title, _person(event.lead) + campaign, url=event.lead.get_absolute_url()
    )


def _note_entry(note) -> TimelineEntry:
    return TimelineEntry(
        note.created_at,
        "note",
        f"Note on {_person(note.lead)}",
        note.body,
        display_name(note.author),
        note.lead.get_absolute_url(),
    )


def _stage_entry(change) -> TimelineEntry:
    title = f"{_person(change.lead)}: {change.get_from_stage_display() or '—'} → {change.get_to_stage_display()}"
    detail = " · ".join(part for part in (change.reason_text, change.note) if part)
    return TimelineEntry(change.at, "stage", title, detail, change.actor, change.lead.get_absolute_url())


def _deal_move_entry(move) -> TimelineEntry:
    title = f"Deal {move.deal.title}: {move.from_name or 'created'} → {move.to_name or '—'}"
    return TimelineEntry(move.at, "deal", title, "", actor_name(move.by), move.deal.get_absolute_url())
