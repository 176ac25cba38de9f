"""The account funnel (reports.accounts.funnel) on a small October 2026 worked out by hand.

Campaigns: A "Webinar" and C "Meetup" (both events), B "Search ads" (paid search).
- Acme: Pia (first touch A, created Oct 2, MQL, engagement 40) and Pat (no campaign, created in August,
  a B event on Oct 5, engagement 25): account score 65. A won deal.
- Bolt: Bo (first touch A, latest touch B, created Oct 3, engagement 10): account score 10. An open deal;
  a C event on Oct 8.
- Cyan: Cy (first touch A, created in September, an A event on Oct 10, reached opportunity, engagement 55).
- Dune: Di (first touch B, created Nov 2): outside the period.
- Eve (first touch A, created Oct 4) has no company: she counts for none.
Engaged account: a score of 50 or more (the default).

Cohort (people created in October, by their first or latest touch):
by hand         reached engaged with_mql with_opportunity won
A Webinar          2       1       1          2            1    Acme (Pia), Bolt (Bo's first touch)
B Search ads       1       0       0          1            0    Bolt (Bo's latest touch)
Events (A)         2       1       1          2            1
Paid search (B)    1       0       0          1            0
Cy (September), Pat (August) and Di (November) were not created in October; Eve has no company.

Activity (engagement events in October, whenever the person was created):
A Webinar          1       1       1          1            0    Cyan (Cy's demo request)
B Search ads       1       1       1          1            1    Acme (Pat's page view)
C Meetup           1       0       0          1            0    Bolt (Bo's webinar)
Events (A or C)    2       1       1          2            0
Paid search (B)    1       1       1          1            1
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Channel
from campaigns.tests.factories import CampaignFactory
from companies.models import Company
from deals.tests.factories import DealFactory, stage_named
from leads.models import EventKind, LifecycleStage
from leads.tests.factories import LeadEventFactory, LeadFactory
from reports.accounts.funnel import account_funnel
from reports.accounts.rollups import refresh_all
from reports.filters import ReportFilters

pytestmark = pytest.mark.django_db
OCTOBER = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31), preset="custom")


def on(month, day):
    return datetime.datetime(2026, month, day, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def world():
    a = CampaignFactory(name="Webinar", channel=Channel.EVENTS)
    b = CampaignFactory(name="Search ads", channel=Channel.PAID_SEARCH)
    c = CampaignFactory(name="Meetup", channel=Channel.EVENTS)
    acme, bolt, cyan, dune = (Company.objects.create(name=name) for name in ("Acme", "Bolt", "Cyan", "Dune"))
    LeadFactory(
        account=acme,
        first_touch_campaign=a,
        latest_touch_campaign=a,
        created_at=on(10, 2),
        stage=LifecycleStage.MQL,
        mql_at=on(10, 6),
        engagement_score=40,
    )
    pat = LeadFactory(account=acme, created_at=on(8, 1), engagement_score=25)
    LeadEventFactory(lead=pat, campaign=b, kind=EventKind.PAGE_VIEW, occurred_at=on(10, 5))
    bo = LeadFactory(
        account=bolt, first_touch_campaign=a, latest_touch_campaign=b, created_at=on(10, 3), engagement_score=10
    )
    LeadEventFactory(lead=bo, campaign=c, kind=EventKind.WEBINAR_ATTENDED, occurred_at=on(10, 8))
    cy = LeadFactory(
        account=cyan,
        first_touch_campaign=a,
        latest_touch_campaign=a,
        created_at=on(9, 20),
        stage=LifecycleStage.OPPORTUNITY,
        opportunity_at=on(9, 25),
        engagement_score=55,
    )
    LeadEventFactory(lead=cy, campaign=a, kind=EventKind.DEMO_REQUEST, occurred_at=on(10, 10))
    LeadFactory(account=dune, first_touch_campaign=b, latest_touch_campaign=b, created_at=on(11, 2))
    LeadFactory(account=None, first_touch_campaign=a, latest_touch_campaign=a, created_at=on(10, 4))
    DealFactory(account=acme, amount=Decimal(900), stage=stage_named("Closed won"))
    DealFactory(account=bolt, amount=Decimal(400), stage=stage_named("Proposal"))
    refresh_all()


def table(rows):
    return {
        row["label"]: [row[k] for k in ("reached", "engaged", "with_mql", "with_opportunity", "won")] for row in rows
    }


def test_the_cohort_counts_the_companies_of_the_people_created_in_the_period(world):
    assert table(account_funnel(OCTOBER)) == {
        "Webinar": [2, 1, 1, 2, 1],
        "Search ads": [1, 0, 0, 1, 0],
    }
    assert table(account_funnel(OCTOBER, by="channel")) == {
        "Events / webinar": [2, 1, 1, 2, 1],
        "Paid search": [1, 0, 0, 1, 0],
    }


def test_the_activity_view_counts_the_companies_of_the_people_who_engaged_in_the_period(world):
    assert table(account_funnel(OCTOBER, view="activity")) == {
        "Webinar": [1, 1, 1, 1, 0],
        "Search ads": [1, 1, 1, 1, 1],
        "Meetup": [1, 0, 0, 1, 0],
    }


def test_per_channel_a_company_reached_by_two_campaigns_counts_once(world):
    assert table(account_funnel(OCTOBER, by="channel", view="activity")) == {
        "Events / webinar": [2, 1, 1, 2, 0],
        "Paid search": [1, 1, 1, 1, 1],
    }


def test_the_channel_and_campaign_filters_narrow_the_touches(world):
    paid = OCTOBER.__class__(**{**OCTOBER.__dict__, "channel": Channel.PAID_SEARCH})
    assert table(account_funnel(paid)) == {"Search ads": [1, 0, 0, 1, 0]}
    webinar = Campaign.objects.get(name="Webinar")
    only_webinar = OCTOBER.__class__(**{**OCTOBER.__dict__, "campaign_id": webinar.pk})
    assert table(account_funnel(only_webinar, view="activity")) == {"Webinar": [1, 1, 1, 1, 0]}


def test_a_period_without_touches_has_no_rows(world):
    july = ReportFilters(date_from=datetime.date(2026, 7, 1), date_to=datetime.date(2026, 7, 31), preset="custom")
    assert account_funnel(july) == []


def test_the_account_funnel_page_shows_every_figure_with_its_label(world, client_for, marketer):
    page = client_for(marketer).get("/reports/accounts/?period=custom&date_from=2026-10-01&date_to=2026-10-31")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Accounts reached" in html and "With an opportunity" in html
    by_campaign = html[html.index('data-testid="accounts-by-campaign"') :]
    webinar = by_campaign[by_campaign.index("Webinar") : by_campaign.index("</tr>", by_campaign.index("Webinar"))]
    assert [cell.split("<")[0] for cell in webinar.split('class="text-end">')[1:]] == ["2", "1", "1", "2", "1"]


def test_the_page_says_which_count_it_shows(world, client_for, marketer):
    url = "/reports/accounts/?period=custom&date_from=2026-10-01&date_to=2026-10-31"
    cohort = client_for(marketer).get(url).content.decode()
    activity = client_for(marketer).get(url + "&view=activity").content.decode()
    assert 'data-count="cohort"' in cohort and "created in the period" in cohort
    assert 'data-count="activity"' in activity and "engagement event" in activity
    rows = 'data-testid="accounts-by-campaign"'
    assert '<th scope="row">Meetup</th>' in activity[activity.index(rows) :]
    assert '<th scope="row">Meetup</th>' not in cohort[cohort.index(rows) :]


def test_a_rep_sees_the_accounts_their_own_people_brought(world, client_for, rep):
    page = client_for(rep).get("/reports/accounts/?period=custom&date_from=2026-10-01&date_to=2026-10-31")
    assert page.status_code == 200
    assert "No campaign touched a person of a known company in this period." in page.content.decode()


def test_the_campaign_page_counts_the_accounts_it_influenced_ever(world, client_for, marketer):
    webinar = Campaign.objects.get(name="Webinar")
    page = client_for(marketer).get(webinar.get_absolute_url()).content.decode()
    influenced = page[page.index('data-testid="influenced-accounts"') :]
    assert "<strong>3</strong>" in influenced[:400]  # Acme, Bolt, Cyan (Eve has no company)
