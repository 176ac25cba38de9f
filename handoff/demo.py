"""Demo hand-overs for `seed_demo`: each demo lead is handed to a rep at the moment its score reached the MQL
threshold (over the last 90 days), and the reps answer hours to a few days later, a few beyond the SLA."""

import math
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from crm.models import Notification
from deals.models import Activity, Deal, DealStageChange
from handoff.models import Handoff
from handoff.selectors import sla_hours_at
from handoff.services import accept_mql, hand_over_mql, reject_mql
from leads.demo import demo_leads, qualification_moments
from leads.models import Lead, LeadStageChange
from leads.scoring.rescore import rescore_leads
from leads.scoring.rules import QUALIFYING_STAGES

# A rep's answer comes a log-normal while after the hand-over: 6 hours in the middle, about one in seven
# after a day, none sooner than 10 minutes or later than 5 days.
ANSWER_MEDIAN_HOURS = 6
ANSWER_SPREAD = 1.3
ANSWER_RANGE_HOURS = (1 / 6, 5 * 24)
# Notifications older than this were read by now; newer ones wait unread.
READ_AFTER = timedelta(days=1)
# The dates the hand-over and the answer write (the services write "now"; the demo moves them to their moment).
LEAD_DATES = ("lead_at", "mql_at", "sql_at", "engagement_reset_at")
REASONS = ["bad_timing", "no_budget", "not_a_fit", "no_authority", "unreachable"]
NOTES = {
    "bad_timing": "Interested, but budget only opens next quarter.",
    "no_budget": "Small team, no budget for a tool this year.",
    "not_a_fit": "Agency reselling to clients: not our segment.",
    "no_authority": "Intern doing research; asked for the decision maker's contact.",
    "unreachable": "Three calls and two emails, no answer.",
}


def seed(*, users, stdout):
    """Hand each demo lead over at the moment it qualified, oldest first, through the services the scoring
    task uses (rep, stage change, notification); then let its rep answer when the answer's time has come
    (accepts, rejections with reasons and notes), the later ones still waiting in the inboxes. What the
    services write at "now" is moved to its moment, so that speed to lead, MQL → SQL time and SLA
    compliance read as hours and days. Idempotent."""
    if Handoff.objects.exists():
        return
    with transaction.atomic():  # one commit, not one per write: a few times faster on SQLite
        handed, answered = _seed(now=timezone.now())
    stdout.write(f"  {handed} MQLs handed over to the reps, {answered} answered, the rest in their inboxes")


def _seed(*, now) -> tuple[int, int]:
    rng = random.Random(7)
    qualifying = demo_leads().filter(stage__in=QUALIFYING_STAGES)
    moments = sorted(qualification_moments(qualifying, now=now).items(), key=lambda item: item[1])
    handed = answered = 0
    for lead_id, (qualified_at, score) in moments:
        # The hand-over reads the score the lead had when it qualified (the closing rescore sets today's).
        Lead.objects.filter(pk=lead_id).update(score=score)
        handoff = hand_over_mql(lead_id=lead_id)
        if handoff is None:
            continue
        handed += 1
        _move_to(handoff, qualified_at, now=now, rng=rng)
        hours = sla_hours_at(qualified_at)  # the SLA in force when it qualified, as the hand-over would take
        Handoff.objects.filter(pk=handoff.pk).update(
            handed_at=qualified_at, sla_hours=hours, due_at=qualified_at + timedelta(hours=hours)
        )
        answer_at = qualified_at + _answer_delay(rng)
        if answer_at >= now:
            continue  # still waiting in the rep's inbox
        if rng.random() < 0.6:
            handoff = accept_mql(handoff_id=handoff.pk, by=handoff.rep)
            _first_calls(handoff.deal, answer_at, now=now, rng=rng)
        else:
            reason = rng.choice(REASONS)
            handoff = reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason=reason, note=NOTES[reason])
        _move_to(handoff, answer_at, now=now, rng=rng)
        Handoff.objects.filter(pk=handoff.pk).update(responded_at=answer_at)
        answered += 1
    rescore_leads()  # today's scores, with each rejected lead's engagement counted from its rejection
    return handed, answered


def _answer_delay(rng: random.Random) -> timedelta:
    hours = ANSWER_MEDIAN_HOURS * math.exp(ANSWER_SPREAD * rng.gauss(0, 1))
    low, high = ANSWER_RANGE_HOURS
    return timedelta(hours=min(max(hours, low), high))


def _move_to(handoff: Handoff, moment, *, now, rng: random.Random) -> None:
    """Move what the last hand-over step wrote at the clock's time (any time from the seed's `now`; earlier
    steps were moved back already) to `moment`: the lead's stage dates, stage changes and history, its
    deal's, and the rep's notification (read, unless it came within READ_AFTER)."""
    lead_id = handoff.lead_id
    Lead.objects.filter(pk=lead_id).update(
        **{field: Case(When(**{f"{field}__gte": now}, then=Value(moment)), default=F(field)) for field in LEAD_DATES}
    )
    LeadStageChange.objects.filter(lead_id=lead_id, at__gte=now).update(at=moment)
    Lead.history.filter(id=lead_id, history_date__gte=now).update(history_date=moment)
    if handoff.deal_id:
        deal = Deal.objects.filter(pk=handoff.deal_id, created_at__gte=now)
        deal.update(created_at=moment, stage_changed_at=moment)
        DealStageChange.objects.filter(deal_id=handoff.deal_id, at__gte=now).update(at=moment)
        Deal.history.filter(id=handoff.deal_id, history_date__gte=now).update(history_date=moment)
    read_at = moment + timedelta(minutes=rng.randint(5, 240)) if moment < now - READ_AFTER else None
    Notification.objects.filter(created_at__gte=now).update(created_at=moment, read_at=read_at)


def _first_calls(deal: Deal, accepted_at, *, now, rng: random.Random) -> None:
    """The rep's discovery call a few hours to two days after accepting, and on most deals accepted weeks
    ago a follow-up in the last days, so that only some of the older deals rot."""
    calls = [("Discovery call", accepted_at + timedelta(hours=rng.uniform(1, 48)))]
    if now - accepted_at > timedelta(days=14) and rng.random() < 0.7:
        calls.append(("Follow-up call", now - timedelta(days=rng.uniform(0.5, 12))))
    calls = [(subject, at) for subject, at in calls if at < now]
    Activity.objects.bulk_create(
        Activity(deal=deal, kind=Activity.Kind.CALL, subject=subject, by=deal.owner, at=at) for subject, at in calls
    )
    if calls:
        Deal.objects.filter(pk=deal.pk).update(last_activity_at=max(at for _subject, at in calls))
