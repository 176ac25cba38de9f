"""Reads on hand-overs that several views share: who sees which, what waits in an inbox, which leads a deal
may be for."""

from crm.roles import is_manager
from handoff.models import Handoff
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
