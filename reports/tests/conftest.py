"""A small hand-built funnel for October 2026 whose every figure is worked out by hand in the tests.

Campaign A "Spring webinar" (channel events) and campaign B, named like a spreadsheet formula (paid search).
Leads created in October (the cohort, 6):
  L1 A, rep:        lead Oct 1 → mql Oct 3 → sql Oct 4 → opportunity Oct 6 → customer Oct 16
  L2 A, rep:        lead Oct 2 → mql Oct 4 → sql Oct 6 → opportunity Oct 10 (still there)
  L3 B, other rep:  lead Oct 3 → mql Oct 6 → rejected "no budget" → nurture
  L4 B, other rep:  lead Oct 4 → mql Oct 8 → rejected "not a fit" → disqualified
  L5 A, no owner:   lead Oct 5 (still a lead)
  S1 no campaign, channel content: subscriber Oct 6
plus L7 (A, September: the previous period) and L8 (November: outside both).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Channel
from campaigns.tests.factories import CampaignFactory
from deals.tests.factories import ActivityFactory, DealFactory, stage_named
from handoff.models import Handoff
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory, LeadNoteFactory
from reports import rollups

OCTOBER = {"period": "custom", "date_from": "2026-10-01", "date_to": "2026-10-31"}
EMPTY_PERIOD = {"period": "custom", "date_from": "2025-01-01", "date_to": "2025-01-31"}
FORMULA_NAME = '=HYPERLINK("http://evil.example","Spring")'


def at(month, day, hour=9):
    return datetime.datetime(2026, month, day, hour, tzinfo=timezone.get_current_timezone())


def day_of(month_day: str) -> datetime.datetime:
    month, day = month_day.split("-")
    return at(int(month), int(day))


@dataclass
class Funnel:
    a: object
    b: object
    leads: dict
    deals: dict
    handoffs: dict


def lead(name, *, campaign, owner, stages, final, channel="", created=None):
    """A lead created at its first stage date that reached each stage at the given dates."""
    reached = {stage: day_of(day) for stage, day in stages.items()}
    return LeadFactory(
        email=f"{name.lower()}@example.com",
        first_name=name,
        last_name="Tester",
        first_touch_campaign=campaign,
        latest_touch_campaign=campaign,
        source_channel=channel,
        owner=owner,
        stage=final,
        created_at=created or min(reached.values()),
        lead_at=reached.get("lead"),
        mql_at=reached.get("mql"),
        sql_at=reached.get("sql"),
        opportunity_at=reached.get("opportunity"),
        customer_at=reached.get("customer"),
    )


def handoff(lead_, rep, handed, responded=None, outcome=Handoff.Outcome.PENDING, reason=""):
    return Handoff.objects.create(
        lead=lead_,
        rep=rep,
        score=60,
        handed_at=handed,
        due_at=handed + datetime.timedelta(hours=24),
        outcome=outcome,
        responded_at=responded,
        rejection_reason=reason,
    )


def deal(owner, stage, amount, *, created, closed=None, lead_=None, reason="", handoff_=None, **extra):
    """A deal; with `handoff_`, the deal that hand-over's accept created."""
    extra.setdefault("stage_changed_at", closed or created)
    made = DealFactory(
        owner=owner,
        stage=stage_named(stage),
        amount=Decimal(amount),
        created_at=created,
        closed_at=closed,
        lead=lead_,
        lost_reason=reason,
        **extra,
    )
    if handoff_ is not None:
        Handoff.objects.filter(pk=handoff_.pk).update(deal=made)
    return made


@pytest.fixture(params=["counted live", "rolled up"])
def funnel_data(request, rep, other_rep, marketer):
    """Every report test runs twice: with every day stale (figures counted over the leads) and after the
    rollups were refreshed (figures read from reports.rollups), so both give the hand-worked numbers."""
    a = CampaignFactory(name="Spring webinar", slug="spring", channel=Channel.EVENTS, owner=marketer)
    b = CampaignFactory(name=FORMULA_NAME, slug="formula", channel=Channel.PAID_SEARCH, owner=marketer)
    L = {
        "L1": lead(
            "L1",
            campaign=a,
            owner=rep,
            stages={"lead": "10-1", "mql": "10-3", "sql": "10-4", "opportunity": "10-6", "customer": "10-16"},
            final=LifecycleStage.CUSTOMER,
        ),
        "L2": lead(
            "L2",
            campaign=a,
            owner=rep,
            stages={"lead": "10-2", "mql": "10-4", "sql": "10-6", "opportunity": "10-10"},
            final=LifecycleStage.OPPORTUNITY,
        ),
        "L3": lead(
            "L3", campaign=b, owner=other_rep, stages={"lead": "10-3", "mql": "10-6"}, final=LifecycleStage.NURTURE
        ),
        "L4": lead(
            "L4", campaign=b, owner=other_rep, stages={"lead": "10-4", "mql": "10-8"}, final=LifecycleStage.DISQUALIFIED
        ),
        "L5": lead("L5", campaign=a, owner=None, stages={"lead": "10-5"}, final=LifecycleStage.LEAD),
        "S1": lead(
            "S1",
            campaign=None,
            owner=None,
            stages={},
            final=LifecycleStage.SUBSCRIBER,
            channel=Channel.CONTENT,
            created=at(10, 6),
        ),
        "L7": lead("L7", campaign=a, owner=rep, stages={"lead": "9-15", "mql": "9-20"}, final=LifecycleStage.MQL),
        "L8": lead("L8", campaign=a, owner=rep, stages={"lead": "11-5"}, final=LifecycleStage.LEAD),
    }
    H = {
        "H1": handoff(L["L1"], rep, at(10, 3), at(10, 3, 13), Handoff.Outcome.ACCEPTED),  # 4 h
        "H2": handoff(L["L2"], rep, at(10, 4), at(10, 6), Handoff.Outcome.ACCEPTED),  # 48 h
        "H3": handoff(L["L3"], other_rep, at(10, 5), at(10, 5, 15), Handoff.Outcome.REJECTED, "no_budget"),  # 6 h
        "H4": handoff(L["L4"], other_rep, at(10, 8), at(10, 9, 10), Handoff.Outcome.REJECTED, "not_a_fit"),  # 25 h
        "H5": handoff(L["L7"], rep, at(10, 20)),  # still pending
    }
    now = timezone.now()
    D = {
        "D1": deal(rep, "Closed won", "10000", created=at(10, 6), closed=at(10, 16), lead_=L["L1"], handoff_=H["H1"]),
        "D2": deal(rep, "Closed won", "4000", created=at(10, 1), closed=at(10, 21)),
        "D3": deal(other_rep, "Closed won", "6000", created=at(10, 10), closed=at(10, 14)),
        "D4": deal(rep, "Closed lost", "3000", created=at(10, 6), closed=at(10, 20), lead_=L["L5"], reason="price"),
        "D5": deal(
            other_rep, "Closed lost", "2000", created=at(10, 9), closed=at(10, 22), lead_=L["L4"], reason="competitor"
        ),
        "D7": deal(
            rep,
            "Proposal",
            "20000",
            created=now - datetime.timedelta(days=40),
            lead_=L["L2"],
            handoff_=H["H2"],
            expected_close_date=datetime.date(2026, 12, 15),
            stage_changed_at=now - datetime.timedelta(days=20),
        ),
        "D8": deal(
            other_rep,
            "Demo",
            "5000",
            created=now - datetime.timedelta(days=30),
            expected_close_date=datetime.date(2026, 12, 1),
            stage_changed_at=now - datetime.timedelta(days=20),
            last_activity_at=now - datetime.timedelta(days=1),
        ),
        "D9": deal(rep, "Qualification", "1000", created=now),
        "D10": deal(rep, "Closed won", "99999", created=at(9, 1), closed=at(9, 10)),
    }
    ActivityFactory(deal=D["D1"], at=at(10, 3, 11), by=rep)  # H1 answered by a call 2 h after the hand-over
    LeadNoteFactory(lead=L["L1"], author=rep, body="Great fit, budget agreed.", created_at=at(10, 10))
    for day in (11, 12, 13, 14):
        LeadNoteFactory(lead=L["L2"], author=rep, body=f"Follow-up {day}", created_at=at(10, day))
    LeadNoteFactory(lead=L["L3"], author=other_rep, body="=SUM(1+1) no budget this year", created_at=at(10, 6))
    LeadNoteFactory(lead=L["L1"], author=marketer, body="Marketing note", created_at=at(10, 15))
    if request.param == "rolled up":
        rollups.refresh()
    return Funnel(a=a, b=b, leads=L, deals=D, handoffs=H)
