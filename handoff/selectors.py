"""Reads on hand-overs that several views share: who sees which, what waits in an inbox, which leads a deal
may be for, and the SLA in force at a moment."""

from django.utils import timezone

from crm.roles import is_manager
from handoff.models import Handoff, Sla
from leads.models import LifecycleStage
from leads.selectors import leads_writable_by


def handoffs_visible_to(user):
    """Managers see every hand-over; reps their own."""
    handoffs = Handoff.objects.select_related("lead", "lead__first_touch_campaign", "rep", "previous_rep")
    return handoffs if is_manager(user) else handoffs.filter(rep=user)


def waiting_for(user) -> int:
    """How many MQLs wait in `user`'s own inbox."""
    return Handoff.objects.filter(rep=user, outcome=Handoff.Outcome.PENDING).count()


def leads_for_deals(user):
    """The leads `user` may tie a deal to by hand: the leads they may write (a rep: their own), except one
    waiting in an MQL inbox, which only its accept turns into a deal (DOMAIN.md "The hand-over")."""
    return leads_writable_by(user).exclude(stage=LifecycleStage.MQL)


def sla_on(day) -> Sla | None:
    """The SLA that applies on `day` (a date in TIME_ZONE): the latest set of those from that date or before.
    None only when no row exists (a flushed test database): the default hours then apply."""
    return Sla.objects.filter(effective_from__lte=day).select_related("set_by").first()


def sla_hours_on(day) -> int:
    sla = sla_on(day)
    return sla.hours if sla else Sla.DEFAULT_HOURS


def sla_hours_at(moment=None) -> int:
    """The hours of the SLA in force at `moment` (default now): that of its date in TIME_ZONE."""
    return sla_hours_on(timezone.localdate(moment or timezone.now()))


def sla_history(*, today=None) -> list[Sla]:
    """Every SLA ever set, the latest date first, each marked `status`: "scheduled" (from a later date),
    "in force", "past", or "replaced" (a later setting for the same date took its place before it ended)."""
    today = today or timezone.localdate()
    rows = list(Sla.objects.select_related("set_by"))  # latest date first, the latest set first within a date
    dates, in_force = set(), False
    for sla in rows:
        if sla.effective_from in dates:
            sla.status = "replaced"
        elif sla.effective_from > today:
            sla.status = "scheduled"
        else:
            sla.status = "past" if in_force else "in force"
            in_force = True
        dates.add(sla.effective_from)
    return rows
