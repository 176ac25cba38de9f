"""The lead pages the benchmark times run a fixed number of queries whatever the number of rows.

The first page of the list and the detail are pinned in test_pages.py and the board in deals; here are the
list's other bench pages (a filtered page, the score order, two searches) and the rep's MQL inbox.
"""

import datetime

import pytest
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from handoff.models import Handoff
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [2, 20])
@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # session, user, roles, page of leads, capped count, owner choices (filter + bulk form), campaigns,
        # and the owner named in the filter
        ("?stage=sql&owner={rep}", 10),
        ("?sort=-score", 9),
        ("?q=nakamura", 9),
        ("?q=grace+nakamura", 9),
    ],
)
def test_the_filtered_sorted_and_searched_list_take_the_same_number_of_queries_whatever_the_rows(
    client_for, manager, rep, rows, query, queries, django_assert_num_queries
):
    campaign = CampaignFactory()
    LeadFactory.create_batch(
        rows,
        first_touch_campaign=campaign,
        owner=rep,
        stage=LifecycleStage.SQL,
        first_name="Grace",
        last_name="Nakamura",
    )
    client = client_for(manager)
    with django_assert_num_queries(queries):
        response = client.get("/leads/" + query.format(rep=rep.pk))
    assert len(response.context["page"].rows) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_count_takes_the_same_number_of_queries_whatever_the_rows(
    client_for, manager, rows, django_assert_num_queries
):
    LeadFactory.create_batch(rows, last_name="Nakamura")
    client = client_for(manager)
    # session, user, roles, the count (up to 100,001 leads; the planner's estimate is one more beyond)
    with django_assert_num_queries(4):
        response = client.get("/leads/count/?q=nakamura")
    assert f"{rows} leads match these filters." in response.content.decode()


@pytest.mark.parametrize("rows", [2, 20])
def test_the_inbox_takes_the_same_number_of_queries_whatever_the_waiting_mqls(
    client_for, rep, rows, django_assert_num_queries
):
    now = timezone.now()
    for lead in LeadFactory.create_batch(rows, owner=rep, stage=LifecycleStage.MQL, mql_at=now):
        Handoff.objects.create(lead=lead, rep=rep, score=60, handed_at=now, due_at=now + datetime.timedelta(hours=24))
    client = client_for(rep)
    # session, user, roles, waiting hand-overs (count and page), unread notifications, the menu's inbox count,
    # answered hand-overs
    with django_assert_num_queries(8):
        response = client.get("/inbox/")
    assert len(response.context["pending"].object_list) == rows
