"""The agreement page: commitments beside actuals and run-rate projections, worked out by hand.

November 2026 (30 days), seen on November 10 (10 days gone, a third of the month):
  MQLs reached in November: M1, M2 (events), M3 (paid search) = 3; M0 reached MQL in October (not counted).
  Hand-overs made in November: H1 (answered in 4 h, accepted), H2 (answered in 30 h, rejected), H3 (pending):
    SLA compliance 1 of 3; acceptance rate 1 of 2 answered.
  Deals: D1 created Nov 3 from H1's accept, 9,000 (sourced pipeline) and closed won Nov 8 (rita's revenue);
    D2 by hand, won Nov 9 by sam, 3,000; D3 won in October (not counted).
Projections: MQLs 3 × 30/10 = 9; revenue 12,000 × 3 = 36,000; sourced pipeline 9,000 × 3 = 27,000.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Channel
from crm.tests.factories import UserFactory
from goals.models import Metric, PeriodKind, Target
from handoff.models import Handoff
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory
from reports import agreement
from reports.tests.conftest import at, deal, handoff

pytestmark = pytest.mark.django_db

NOVEMBER = datetime.date(2026, 11, 1)
NOV_10 = datetime.date(2026, 11, 10)
QUERIES = 14  # session, user, groups, targets, MQLs, hand-overs, SLA, speed (2 on SQLite), revenue, pipeline, names


def mql(name, day, channel, owner=None):
    return LeadFactory(
        email=f"{name}@example.com", source_channel=channel, stage=LifecycleStage.MQL, mql_at=day, owner=owner
    )


def target(metric, value, *, channel="", rep=None, kind=PeriodKind.MONTH, start=NOVEMBER):
    return Target.objects.create(
        period_kind=kind, period_start=start, metric=metric, channel=channel, rep=rep, value=Decimal(value)
    )


@pytest.fixture
def november(rep, other_rep):
    m1 = mql("m1", at(11, 2), Channel.EVENTS, rep)
    m2 = mql("m2", at(11, 5), Channel.EVENTS, rep)
    m3 = mql("m3", at(11, 9), Channel.PAID_SEARCH, other_rep)
    mql("m0", at(10, 30), Channel.EVENTS)
    h1 = handoff(m1, rep, at(11, 2), at(11, 2, 13), Handoff.Outcome.ACCEPTED)
    handoff(m2, rep, at(11, 5), at(11, 6, 15), Handoff.Outcome.REJECTED, "no_budget")
    handoff(m3, other_rep, at(11, 9))
    deal(rep, "Closed won", "9000", created=at(11, 3), closed=at(11, 8), lead_=m1, handoff_=h1)
    deal(other_rep, "Closed won", "3000", created=at(11, 1), closed=at(11, 9))
    deal(rep, "Closed won", "50000", created=at(10, 1), closed=at(10, 20))
    target(Metric.MQLS, 10)
    target(Metric.MQLS, 2, channel=Channel.EVENTS)
    target(Metric.SOURCED_PIPELINE, 30000)
    target(Metric.REVENUE, 40000)
    target(Metric.REVENUE, 20000, rep=rep)
    target(Metric.REVENUE, 9000, rep=other_rep)


def test_a_period_is_read_as_a_month_or_a_quarter():
    assert agreement.parse_period("2026-11", NOV_10) == agreement.Period(PeriodKind.MONTH, NOVEMBER)
    quarter = agreement.parse_period("2026-Q4", NOV_10)
    assert (quarter.start, quarter.end, quarter.days) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1), 92)
    assert [agreement.parse_period(text, NOV_10) for text in ("2026-13", "2026-Q5", "nov", "", None)] == [None] * 5


def test_the_projection_is_the_actual_over_the_elapsed_share_of_the_period():
    period = agreement.Period(PeriodKind.MONTH, NOVEMBER)
    assert agreement.projection(12, period, NOV_10) == 36
    assert agreement.projection(12, period, datetime.date(2026, 12, 3)) == 12  # over: the actual itself
    assert agreement.projection(12, period, datetime.date(2026, 10, 31)) is None  # not begun: nothing to divide by


def test_green_on_pace_amber_within_ten_percent_red_further_behind():
    assert agreement.status(Decimal(36), Decimal(36)) == "green"
    assert agreement.status(Decimal(36), Decimal(40)) == "amber"
    assert agreement.status(Decimal(36), Decimal(41)) == "red"
    assert agreement.status(Decimal(36), None) is None
    assert agreement.status(None, Decimal(10)) is None


def test_the_agreement_of_november_on_the_tenth(november, rep, other_rep):
    figures = agreement.agreement(agreement.Period(PeriodKind.MONTH, NOVEMBER), today=NOV_10)
    mqls = figures["mqls"]
    assert (mqls["actual"], mqls["target"], mqls["projection"], mqls["status"]) == (3, 10, 9, "amber")
    assert [(row["label"], row["actual"], row["projection"], row["status"]) for row in figures["channels"]] == [
        ("MQLs from Events / webinar", 2, 6, "green")
    ]
    assert figures["answers"]["acceptance_rate"] == Decimal("0.5")
    assert figures["answers"]["sla_compliance"] == Decimal(1) / 3
    pipeline = figures["sourced_pipeline"]
    assert (pipeline["actual"], pipeline["projection"], pipeline["status"]) == (9000, 27000, "amber")  # 90 % exactly
    revenue = figures["revenue"]
    assert (revenue["actual"], revenue["projection"], revenue["status"]) == (12000, 36000, "amber")
    assert revenue["attainment"] == Decimal("0.3")
    assert [(row["actual"], row["target"], row["projection"], row["status"]) for row in figures["reps"]] == [
        (9000, 20000, 27000, "green"),
        (3000, 9000, 9000, "green"),
    ]
    assert figures["speed_to_lead_hours"] is not None


def test_without_targets_every_target_and_colour_is_a_dash(rep):
    figures = agreement.agreement(agreement.Period(PeriodKind.QUARTER, datetime.date(2025, 1, 1)), today=NOV_10)
    assert figures["mqls"]["target"] is None and figures["mqls"]["status"] is None
    assert figures["revenue"]["attainment"] is None
    assert figures["reps"] == []


def test_the_page_shows_each_commitment_with_its_label_and_links(november, client_for, manager):
    response = client_for(manager).get(reverse("agreement"), {"period": "2026-11"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "MQLs delivered" in body and "Leads that reached MQL in the period" in body
    assert 'data-status="' in body and "Projection = actual ÷ the share of the period gone by" in body
    assert "date_from=2026-11-01&amp;date_to=2026-11-30" in body
    assert reverse("reports:sales") + "?owner=" in body


def test_a_rep_sees_team_figures_and_only_their_own_quota_row(november, client_for, rep, other_rep):
    body = client_for(rep).get(reverse("agreement"), {"period": "2026-11"}).content.decode()
    assert 'data-row="revenue"' in body and 'data-row="mqls"' in body
    assert f'data-row="rep-{rep.pk}"' in body
    assert f'data-row="rep-{other_rep.pk}"' not in body


def test_a_marketer_reads_the_page_without_links_to_the_sales_report(november, client_for, marketer):
    body = client_for(marketer).get(reverse("agreement"), {"period": "2026-11"}).content.decode()
    assert 'data-row="mqls"' in body
    assert reverse("reports:sales") not in body
    assert reverse("reports:campaigns") + "?view=activity" in body


def test_an_unreadable_period_shows_this_month_and_says_so(client_for, manager):
    body = client_for(manager).get(reverse("agreement"), {"period": "2026-99"}).content.decode()
    assert "That period could not be read" in body


def test_the_page_reads_a_fixed_number_of_queries(november, client_for, manager, django_assert_max_num_queries):
    client = client_for(manager)
    with django_assert_max_num_queries(QUERIES):
        client.get(reverse("agreement"), {"period": "2026-11"})
    target(Metric.MQLS, 1, channel=Channel.CONTENT)
    for name in ("ann", "ben", "cyd"):
        more = UserFactory(role="Sales rep", username=name)
        target(Metric.REVENUE, 5000, rep=more)
        deal(more, "Closed won", "700", created=at(11, 1), closed=at(11, 2))
    with django_assert_max_num_queries(QUERIES):
        body = client.get(reverse("agreement"), {"period": "2026-11"}).content.decode()
    assert body.count('data-row="rep-') == 5


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    assert client_for(None).get(reverse("agreement")).status_code == 302


def test_a_reps_strip_shows_their_revenue_against_their_quota(client_for, rep, other_rep):
    today = timezone.localdate()
    start = today.replace(day=1)
    target(Metric.REVENUE, 20000, rep=rep, start=start)
    target(Metric.REVENUE, 99000, start=start)
    deal(rep, "Closed won", "5000", created=timezone.now(), closed=timezone.now())
    deal(other_rep, "Closed won", "7000", created=timezone.now(), closed=timezone.now())
    body = client_for(rep).get(reverse("attainment"), headers={"HX-Request": "true"}).content.decode()
    assert "Your revenue this month (closed won): <strong>$5,000</strong>" in body
    assert "of $20,000 quota (<strong>25.0 %</strong>)" in body
    assert "MQLs this month" not in body


def test_a_marketers_strip_shows_the_months_mqls_against_the_target(client_for, marketer):
    target(Metric.MQLS, 8, start=timezone.localdate().replace(day=1))
    mql("now", timezone.now(), Channel.EVENTS)
    body = client_for(marketer).get(reverse("attainment")).content.decode()
    assert "MQLs this month (leads that reached MQL): <strong>1</strong>" in body
    assert "of 8 (<strong>12.5 %</strong>)" in body
    assert "revenue" not in body.lower().replace("the agreement", "")


def test_without_targets_the_strip_says_none_is_set(client_for, manager):
    body = client_for(manager).get(reverse("attainment")).content.decode()
    assert "no quota set for this month" in body and "no MQL target set for this month" in body


def test_my_day_and_the_dashboard_load_the_strip(client_for, rep, marketer):
    assert f'hx-get="{reverse("attainment")}"' in client_for(rep).get(reverse("agenda:my_day")).content.decode()
    assert f'hx-get="{reverse("attainment")}"' in client_for(marketer).get(reverse("dashboard")).content.decode()
