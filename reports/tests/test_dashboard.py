import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.tests.factories import CampaignDailyStatFactory, CampaignFactory
from deals.tests.factories import DealFactory, stage_named
from handoff.models import Handoff
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def ago(days=0, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def last_month(marketer, rep, other_rep):
    campaign = CampaignFactory(owner=marketer)
    other_campaign = CampaignFactory()
    leads = [LeadFactory(first_touch_campaign=campaign, created_at=ago(5)) for _ in range(3)]
    LeadFactory(first_touch_campaign=other_campaign, created_at=ago(6), mql_at=ago(4))
    LeadFactory(first_touch_campaign=campaign, created_at=ago(40))  # before the last 30 days
    for lead in leads[:2]:
        lead.mql_at = ago(4)
        lead.save()
    Handoff.objects.create(
        lead=leads[0], rep=rep, score=60, handed_at=ago(3), due_at=ago(2), outcome="accepted", responded_at=ago(3, -2)
    )
    Handoff.objects.create(
        lead=leads[1],
        rep=other_rep,
        score=60,
        handed_at=ago(3),
        due_at=ago(2),
        outcome="rejected",
        rejection_reason="no_need",
        responded_at=ago(2, -6),
    )
    Handoff.objects.create(lead=leads[2], rep=rep, score=60, handed_at=ago(1), due_at=ago(0))
    DealFactory(owner=rep, stage=stage_named("Closed won"), amount=Decimal(7000), closed_at=ago(2))
    DealFactory(owner=other_rep, stage=stage_named("Closed lost"), lost_reason="price", closed_at=ago(1))
    DealFactory(owner=rep, stage=stage_named("Demo"), amount=Decimal(5000))
    DealFactory(owner=other_rep, stage=stage_named("Proposal"), amount=Decimal(3000))
    today = timezone.localdate()
    for days in (1, 2, 3, 60):
        CampaignDailyStatFactory(campaign=campaign, date=today - datetime.timedelta(days=days), spend=Decimal(100))


def figures(response):
    html = response.content.decode()
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


def test_manager_dashboard_shows_the_key_figures_of_the_last_30_days(client_for, manager, last_month):
    response = client_for(manager).get("/")
    assert figures(response) == {
        "leads_created": "4",
        "mqls_reached": "3",
        "acceptance_rate": "50.0 %",
        "win_rate": "50.0 %",
        "pipeline_value": "$8,000",
        "sla_compliance": "33.3 %",  # 1 of 3 hand-overs answered within 24 h
    }
    html = response.content.decode()
    for url in ("/reports/funnel/", "/reports/sales/", "/reports/feedback/"):
        assert f'href="{url}"' in html
    assert "Next actions" in html


def test_rep_dashboard_shows_their_own_figures(client_for, rep, last_month):
    assert figures(client_for(rep).get("/")) == {
        "open_deals": "1",
        "pipeline_value": "$5,000",
        "pending_mqls": "1",
        "win_rate": "100.0 %",
    }


def test_marketer_dashboard_shows_their_campaigns_figures(client_for, marketer, last_month):
    assert figures(client_for(marketer).get("/")) == {
        "leads_created": "3",
        "mqls_reached": "2",
        "spend": "$300",
        "cost_per_lead": "$100.00",
    }


def test_without_data_ratios_show_a_dash(client_for, manager, marketer):
    assert figures(client_for(manager).get("/")) == {
        "leads_created": "0",
        "mqls_reached": "0",
        "acceptance_rate": "—",
        "win_rate": "—",
        "pipeline_value": "$0",
        "sla_compliance": "—",
    }
    assert figures(client_for(marketer).get("/"))["cost_per_lead"] == "—"
