"""Who sees whose day: a rep their own, whatever they ask; a manager any rep's and the team's; marketers none.
And where signing in lands: a rep on My day, the other roles on their dashboard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from crm.tests.factories import TEST_PASSWORD, UserFactory
from deals.tests.factories import DealFactory
from handoff.models import Handoff
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = reverse("agenda:my_day")


@pytest.fixture
def days(rep, other_rep):
    """An MQL and a rotting deal for each rep."""
    now = timezone.now()
    for owner, name in [(rep, "Rita"), (other_rep, "Sam")]:
        lead = LeadFactory(first_name=f"{name}s", last_name="Lead", stage=LifecycleStage.MQL, mql_at=now)
        Handoff.objects.create(lead=lead, rep=owner, score=60, handed_at=now, due_at=now + datetime.timedelta(hours=5))
        DealFactory(owner=owner, title=f"{name}s idle deal", stage_changed_at=now - datetime.timedelta(days=30))


def shown(response) -> set[str]:
    html = response.content.decode()
    return {name for name in ("Ritas", "Sams") if f"{name} Lead</a>" in html and f"{name} idle deal</a>" in html}


def test_a_rep_sees_their_own_day(client_for, rep, days):
    response = client_for(rep).get(URL)
    assert shown(response) == {"Ritas"}
    assert 'id="rep-select"' not in response.content.decode()


def test_a_rep_asking_for_another_reps_day_gets_their_own(client_for, rep, other_rep, days):
    for asked in (str(rep.pk), "team"):
        assert shown(client_for(other_rep).get(URL, {"rep": asked})) == {"Sams"}


def test_a_manager_sees_any_reps_day_and_the_teams_with_an_owner_column(client_for, manager, rep, other_rep, days):
    client = client_for(manager)
    assert shown(client.get(URL, {"rep": rep.pk})) == {"Ritas"}
    assert shown(client.get(URL, {"rep": other_rep.pk})) == {"Sams"}
    team = client.get(URL, {"rep": "team"})
    assert shown(team) == {"Ritas", "Sams"}
    assert team.content.decode().count('data-testid="owner"') == 2  # the deals' owners
    assert all(f"rep: {escape(user.get_full_name())}" in team.content.decode() for user in (rep, other_rep))
    own = client.get(URL)
    assert shown(own) == set()  # the manager's own day: nothing here is theirs
    assert all(f'<option value="{user.pk}"' in own.content.decode() for user in (rep, other_rep))


def test_a_manager_asking_for_someone_who_is_no_rep_sees_their_own_day(client_for, manager, marketer, days):
    for asked in (str(marketer.pk), "999999", "x", "²"):
        response = client_for(manager).get(URL, {"rep": asked})
        assert response.status_code == 200
        assert shown(response) == set()


@pytest.mark.parametrize(("role", "status"), [("Marketer", 403), (None, 403)])
def test_marketers_and_users_without_a_role_have_no_day(client_for, role, status):
    assert client_for(UserFactory(role=role)).get(URL).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def sign_in(client, user, next_url=None):
    data = {"username": user.username, "password": TEST_PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("login"), data)


@pytest.mark.parametrize("next_url", [None, "", "/"])
def test_a_rep_signing_in_lands_on_my_day(client, rep, next_url):
    assert sign_in(client, rep, next_url)["Location"] == URL


def test_a_rep_on_the_way_to_a_page_lands_on_it(client, rep):
    assert sign_in(client, rep, "/pipeline/")["Location"] == "/pipeline/"


@pytest.mark.parametrize("role", ["Marketer", "Manager"])
def test_marketers_and_managers_keep_their_dashboard_as_home(client, role):
    assert sign_in(client, UserFactory(role=role), "/")["Location"] == reverse("dashboard")


def test_the_dashboard_stays_reachable_for_a_rep(client_for, rep):
    assert client_for(rep).get(reverse("dashboard")).status_code == 200
