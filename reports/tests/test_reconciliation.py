"""The pages agree: on random leads (some without a campaign), hand-overs (through handoff.services: waiting,
accepted, rejected) and deals (from accepts and by hand, with or without a lead; open, won or lost, closed
inside or outside the period), every figure two pages show under one label is one count, and the campaign
report's campaigns plus Unattributed add up to the funnel (cohort view) and the sales report (activity view),
in both attributions, counted live (every day stale) and from the rollups (after a full refresh).
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.models import Channel
from campaigns.tests.factories import CampaignFactory
from crm.tests.properties import WITH_DATABASE, rolled_back
from deals.models import Deal, Stage
from deals.services import create_deal, move_deal, update_deal
from deals.tests.factories import stage_named
from handoff.services import accept_mql, hand_over_mql, reject_mql
from leads.models import FUNNEL, Lead, LifecycleStage, ScoringSettings
from leads.tests.factories import LeadFactory
from reports import counts, feedback, funnel, rollups, sales
from reports.campaigns import SUMMED, campaign_report
from reports.dashboard import manager_figures, marketer_figures
from reports.filters import ReportFilters
from reports.models import StaleDay

pytestmark = pytest.mark.django_db

CHANNELS = [Channel.EMAIL, Channel.EVENTS, Channel.CONTENT]
FEW = settings(WITH_DATABASE, max_examples=10)  # about 20 s an engine
DAYS_BACK = 30

closing = st.tuples(st.sampled_from(["open", "won", "lost"]), st.integers(0, 50_000), st.integers(0, DAYS_BACK))
leads = st.lists(
    st.fixed_dictionaries(
        {
            "created": st.integers(0, DAYS_BACK),
            "hour": st.sampled_from([0, 9, 23]),
            "first": st.sampled_from([None, 0, 1, 2]),
            "latest": st.sampled_from([None, 0, 1, 2]),
            "channel": st.sampled_from(["", *CHANNELS]),
            "handed_over": st.booleans(),
            "answer": st.sampled_from(["pending", "accept", "reject"]),
            "deal": closing,
        }
    ),
    max_size=8,
)
hand_made = st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 7)), closing), max_size=3)
periods = st.tuples(st.integers(0, 5), st.integers(0, 20))


def at(days_ago: int, hour: int = 12) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def close(deal, outcome: str, amount: int, days_ago: int, by) -> None:
    """Price the deal, then win or lose it (through deals.services) and date the close `days_ago`."""
    deal = update_deal(deal=deal, by=by, amount=Decimal(amount))
    if outcome == "open":
        return
    stage = stage_named("Closed won" if outcome == "won" else "Closed lost")
    move_deal(deal=deal, to_stage=stage, by=by, lost_reason="" if outcome == "won" else "price")
    Deal.objects.filter(pk=deal.pk).update(closed_at=at(days_ago, 15))


def build(campaigns, specs, by_hand, rep) -> None:
    threshold = ScoringSettings.load().mql_threshold
    made = []
    for number, spec in enumerate(specs):
        first = campaigns[spec["first"]] if spec["first"] is not None else None
        latest = campaigns[spec["latest"]] if spec["latest"] is not None else None
        lead = LeadFactory(
            email=f"reconcile{number}@example.com",
            created_at=at(spec["created"], spec["hour"]),
            first_touch_campaign=first,
            latest_touch_campaign=latest,
            source_channel=first.channel if first else spec["channel"],  # as leads.services.touch sets it
            score=threshold if spec["handed_over"] else 0,
            stage=LifecycleStage.LEAD,
        )
        made.append(lead)
        if not spec["handed_over"]:
            continue
        handoff = hand_over_mql(lead_id=lead.pk)
        if spec["answer"] == "accept":
            handoff = accept_mql(handoff_id=handoff.pk, by=handoff.rep)
            close(handoff.deal, *spec["deal"], by=handoff.rep)
        elif spec["answer"] == "reject":
            reason = "not_a_fit" if number % 2 else "no_budget"
            reject_mql(handoff_id=handoff.pk, by=handoff.rep, reason=reason)
    for number, (lead_index, deal) in enumerate(by_hand):
        lead = made[lead_index] if lead_index is not None and lead_index < len(made) else None
        close(create_deal(by=rep, title=f"By hand {number}", lead=lead), *deal, by=rep)


def summed(report, name: str):
    return sum(getattr(row, name) for row in report.campaigns) + getattr(report.unattributed, name)


def expected(filters: ReportFilters) -> dict:
    """Worked out in Python from the rows themselves."""
    leads = [lead for lead in Lead.objects.all() if filters.start <= lead.created_at < filters.end]
    won = Deal.objects.filter(stage__kind=Stage.Kind.WON, closed_at__gte=filters.start, closed_at__lt=filters.end)
    reached = Lead.objects.filter(mql_at__gte=filters.start, mql_at__lt=filters.end)
    return {
        "cohort": len(leads),
        "revenue": sum((deal.amount for deal in won), Decimal(0)),
        "mqls_reached": reached.count(),
    }


def assert_pages_agree(filters: ReportFilters, channel: str, marketer) -> None:
    oracle = expected(filters)
    stages = funnel.stage_counts(filters)
    revenue = sales.sales_report(filters)["summary"]["revenue"]
    answered = feedback.acceptance_by_campaign(filters)
    dashboard = manager_figures(filters)
    assert stages[LifecycleStage.SUBSCRIBER] == dashboard["leads_created"] == oracle["cohort"]
    assert revenue == oracle["revenue"]
    assert dashboard["mqls_reached"] == counts.mqls_reached(filters) == oracle["mqls_reached"]
    for attribution in ("first", "last"):
        cohort = campaign_report(filters, attribution, "cohort")
        activity = campaign_report(filters, attribution, "activity")
        context = (attribution, filters)
        # Cohort: campaigns + Unattributed = the funnel, stage by stage.
        for stage, name in zip(
            FUNNEL[:1] + FUNNEL[2:], ("leads", "mqls", "sqls", "opportunities", "customers"), strict=True
        ):
            assert summed(cohort, name) == stages[stage], (name, *context)
        # Activity: revenue closed = the sales report's; MQLs reached = the dashboard's; MQLs answered = the
        # feedback report's; leads created = the cohort.
        assert summed(activity, "revenue") == revenue, context
        assert summed(activity, "mqls") == dashboard["mqls_reached"], context
        assert summed(activity, "leads") == oracle["cohort"], context
        assert summed(activity, "mqls_accepted") == sum(row["accepted"] for row in answered), context
        assert summed(activity, "mqls_rejected") == sum(row["rejected"] for row in answered), context
        # Channels add up to campaigns, and share the Unattributed row.
        for report in (cohort, activity):
            for name in SUMMED:
                by_channel = sum(getattr(row, name) for row in report.channels)
                assert by_channel == sum(getattr(row, name) for row in report.campaigns), (name, *context)
    # A channel: its campaigns and its leads without a campaign (first touch, the channel a lead comes from).
    of_channel = ReportFilters(date_from=filters.date_from, date_to=filters.date_to, channel=channel)
    funnel_cohort = funnel.cohort_size(of_channel)
    assert summed(campaign_report(of_channel, "first", "cohort"), "leads") == funnel_cohort, channel
    channel_revenue = sales.sales_report(of_channel)["summary"]["revenue"]
    assert summed(campaign_report(of_channel, "first", "activity"), "revenue") == channel_revenue, channel
    # The marketer's dashboard: their campaigns' rows of the campaign report (first touch, owner = them).
    own = ReportFilters(date_from=filters.date_from, date_to=filters.date_to, owner_id=marketer.pk)
    mine = marketer_figures(filters, marketer)
    assert mine["leads_created"] == sum(row.leads for row in campaign_report(own, "first", "cohort").campaigns)
    assert mine["mqls_reached"] == sum(row.mqls for row in campaign_report(own, "first", "activity").campaigns)


@FEW
@given(specs=leads, by_hand=hand_made, period=periods, channel=st.sampled_from(CHANNELS))
def test_campaigns_funnel_sales_and_dashboards_reconcile(rep, other_rep, marketer, specs, by_hand, period, channel):
    ends, length = period
    date_to = timezone.localdate() - datetime.timedelta(days=ends)
    filters = ReportFilters(date_from=date_to - datetime.timedelta(days=length), date_to=date_to)
    with rolled_back():
        campaigns = [
            CampaignFactory(slug="mail", channel=Channel.EMAIL, owner=marketer),
            CampaignFactory(slug="mail-2", channel=Channel.EMAIL),
            CampaignFactory(slug="webinar", channel=Channel.EVENTS, owner=marketer),
        ]
        build(campaigns, specs, by_hand, rep)

        assert StaleDay.objects.exists() or not specs  # counted live
        assert_pages_agree(filters, channel, marketer)

        rollups.refresh(everything=True)
        assert not StaleDay.objects.exists()  # from the rollups
        assert_pages_agree(filters, channel, marketer)
