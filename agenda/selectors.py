"""Reads for My day: what waits for a rep (or the whole team) today, in the order a rep works it.

Each section is capped (ROWS_PER_SECTION rows and how many more there are), so the page takes the same
handful of queries whatever a rep's backlog: one per section, a second only when the section is full, and
the pipelines' rotting thresholds.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from agenda.models import Task
from crm.bounds import parse_id
from crm.roles import SALES_REP, is_manager
from deals.models import Deal, Stage
from deals.selectors import rotting
from handoff.models import Handoff

ROWS_PER_SECTION = 50
TEAM = "team"


@dataclass
class Section:
    """The first rows of a section and how many it holds in all."""

    rows: list = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass
class Day:
    """Whose day it is (`rep`; None for the team) and its four sections, in the order the page shows them."""

    rep: object
    mqls: Section
    tasks: Section
    rotting: Section
    past_close: Section

    @property
    def is_team(self) -> bool:
        return self.rep is None

    @property
    def list_owner(self) -> str:
        """The deal list's `owner` filter that shows the same deals."""
        return TEAM if self.rep is None else str(self.rep.pk)


def capped(queryset, limit: int = ROWS_PER_SECTION) -> Section:
    """The first `limit` rows of `queryset`, and its count (counted only when the rows fill the cap)."""
    rows = list(queryset[:limit])
    return Section(rows, len(rows) if len(rows) < limit else queryset.order_by().count())


def sales_reps():
    """The active sales reps: whose day a manager may look at, and the team's."""
    return get_user_model().objects.filter(groups__name=SALES_REP, is_active=True).order_by("first_name", "username")


def whose_day(user, asked: str, reps=()):
    """Whose day `user` sees when the page asks for `asked` (its `rep` parameter): a manager the team's
    (`TEAM`, answered None) or one of `reps` by id, else their own; anyone else their own, whatever they ask."""
    if not is_manager(user):
        return user
    if asked == TEAM:
        return None
    rep_id = parse_id(asked)
    return next((rep for rep in reps if rep.pk == rep_id), user)


def _owned(queryset, field_name: str, rep):
    """`queryset` narrowed to `rep`'s rows, or to every sales rep's (`rep` None: the team)."""
    if rep is None:
        return queryset.filter(**{f"{field_name}__in": sales_reps().values("pk")})
    return queryset.filter(**{field_name: rep})


def assigned_to(tasks, rep):
    """`tasks` assigned to `rep`, or to any sales rep (`rep` None: the team)."""
    return _owned(tasks, "assignee", rep)


def start_of_tomorrow(now) -> datetime.datetime:
    """Midnight after `now` in the site's time zone: "due today" is due before it."""
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))


def mqls_waiting(rep, now) -> Section:
    """The MQLs waiting for an answer, the one whose SLA runs out first first; each with the time left
    (`time_left`, never negative) and whether the SLA is already missed (`sla_missed`)."""
    handoffs = _owned(Handoff.objects.filter(outcome=Handoff.Outcome.PENDING), "rep", rep)
    section = capped(handoffs.select_related("lead", "lead__first_touch_campaign", "rep").order_by("due_at", "pk"))
    for handoff in section.rows:
        handoff.sla_missed = handoff.due_at <= now
        handoff.time_left = abs(handoff.due_at - now)
    return section


def tasks_due(rep, now) -> Section:
    """Open tasks assigned to `rep` due by the end of today in the site's time zone, overdue ones first."""
    tasks = assigned_to(Task.objects.open().filter(due_at__lt=start_of_tomorrow(now)), rep)
    return capped(tasks.for_rows().order_by("due_at", "pk"))


def _open_deals(rep):
    return _owned(Deal.objects.filter(stage__kind=Stage.Kind.OPEN), "owner", rep).select_related("stage", "owner")


def deals_rotting(rep, now) -> Section:
    """`rep`'s open deals the board flags rotting (`deals.selectors.rotting`), idle the longest first."""
    deals = _open_deals(rep).filter(rotting(now))
    last_touch = Greatest("stage_changed_at", Coalesce("last_activity_at", "stage_changed_at"))
    section = capped(deals.annotate(last_touch=last_touch).order_by("last_touch", "pk"))
    for deal in section.rows:
        deal.idle_days = (now - deal.last_touch).days
    return section


def deals_past_close(rep, now) -> Section:
    """`rep`'s open deals whose expected close date is before today, the longest passed first."""
    today = timezone.localdate(now)
    deals = _open_deals(rep).filter(expected_close_date__lt=today)
    section = capped(deals.order_by("expected_close_date", "pk"))
    for deal in section.rows:
        deal.days_past_close = (today - deal.expected_close_date).days
    return section


def my_day(rep, *, now=None) -> Day:
    """`rep`'s day (None: the team's): the MQLs waiting, the tasks due, the deals rotting and those past
    their expected close date."""
    now = now or timezone.now()
    return Day(
        rep=rep,
        mqls=mqls_waiting(rep, now),
        tasks=tasks_due(rep, now),
        rotting=deals_rotting(rep, now),
        past_close=deals_past_close(rep, now),
    )
