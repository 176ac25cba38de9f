"""Who may do what on campaign pages and API endpoints (DOMAIN.md "Roles"): marketers and managers run
campaigns, sales reps read them, anonymous visitors are sent to sign in (pages) or get 401 (API)."""

import pytest
from django.urls import reverse

from campaigns.models import Campaign

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "marketer", "rep", "other_rep", "manager"]
# role → expected status for pages anyone with a role may read
READ = {"anonymous": 302, "marketer": 200, "rep": 200, "other_rep": 200, "manager": 200}
# role → expected status for pages only marketers and managers may use (GET of forms, POST of writes)
WRITE = {"anonymous": 302, "marketer": 200, "rep": 403, "other_rep": 403, "manager": 200}

STAT = {"date": "2026-09-01", "impressions": "100", "clicks": "5", "spend": "10"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["campaigns:campaign_list", "campaigns:campaign_detail"])
def test_every_role_reads_campaign_pages_and_anonymous_is_sent_to_sign_in(client_for, user_for, campaign, role, name):
    args = [campaign.slug] if name.endswith("detail") else []
    response = client_for(user_for(role)).get(reverse(name, args=args))
    assert response.status_code == READ[role]
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name", ["campaign_create", "campaign_edit", "campaign_upload", "campaign_stats"], ids=lambda name: name
)
def test_only_marketers_and_managers_open_write_pages(client_for, user_for, campaign, role, name):
    args = [] if name == "campaign_create" else [campaign.slug]
    response = client_for(user_for(role)).get(reverse(f"campaigns:{name}", args=args), headers={"HX-Request": "true"})
    assert response.status_code == WRITE[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_marketers_and_managers_create_campaigns(client_for, user_for, marketer, role):
    data = {"name": "Made by " + role, "channel": "email", "objective": "nurture", "status": "planned"}
    data |= {"start_date": "2026-10-01", "budget": "100", "owner": marketer.pk}
    response = client_for(user_for(role)).post(reverse("campaigns:campaign_create"), data)
    assert response.status_code == {**WRITE, "marketer": 302, "manager": 302}[role]
    assert Campaign.objects.filter(name=data["name"]).exists() == (role in ("marketer", "manager"))


@pytest.mark.parametrize("role", ROLES)
def test_only_marketers_and_managers_edit_campaigns(client_for, user_for, campaign, role):
    data = {"name": "Renamed", "slug": campaign.slug, "channel": "email", "objective": "nurture"}
    data |= {"status": "active", "start_date": "2026-09-01", "budget": "100", "owner": campaign.owner.pk}
    response = client_for(user_for(role)).post(reverse("campaigns:campaign_edit", args=[campaign.slug]), data)
    assert response.status_code == {**WRITE, "marketer": 302, "manager": 302}[role]
    campaign.refresh_from_db()
    assert (campaign.name == "Renamed") == (role in ("marketer", "manager"))


@pytest.mark.parametrize("role", ROLES)
def test_only_marketers_and_managers_archive_campaigns(client_for, user_for, campaign, role):
    response = client_for(user_for(role)).post(reverse("campaigns:campaign_archive", args=[campaign.slug]))
    assert response.status_code == {**WRITE, "marketer": 302, "manager": 302}[role]
    campaign.refresh_from_db()
    assert (campaign.archived_at is not None) == (role in ("marketer", "manager"))


@pytest.mark.parametrize("role", ROLES)
def test_only_marketers_and_managers_log_daily_stats(client_for, user_for, campaign, role):
    url = reverse("campaigns:campaign_stats", args=[campaign.slug])
    response = client_for(user_for(role)).post(url, STAT, headers={"HX-Request": "true"})
    assert response.status_code == WRITE[role]
    assert campaign.daily_stats.exists() == (role in ("marketer", "manager"))


def test_unknown_campaign_is_not_found(client_for, marketer):
    assert client_for(marketer).get(reverse("campaigns:campaign_detail", args=["nope"])).status_code == 404


def test_user_without_a_role_sees_no_campaign(client_for, campaign):
    from crm.tests.factories import UserFactory

    response = client_for(UserFactory()).get(campaign.get_absolute_url())
    assert response.status_code == 404


# --- API ------------------------------------------------------------------------------------------------

API_READ = {"anonymous": 401, "marketer": 200, "rep": 200, "other_rep": 200, "manager": 200}
API_WRITE = {"anonymous": 401, "marketer": None, "rep": 403, "other_rep": 403, "manager": None}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path", ["/api/v1/campaigns/", "/api/v1/campaigns/spring-launch/", "/api/v1/campaigns/spring-launch/stats/"]
)
def test_api_reads_follow_roles(client_for, user_for, campaign, role, path):
    assert client_for(user_for(role)).get(path).status_code == API_READ[role]


@pytest.mark.parametrize("role", ROLES)
def test_api_create_is_for_marketers_and_managers(client_for, user_for, role):
    payload = {"name": "API " + role, "channel": "email", "start_date": "2026-10-01"}
    response = client_for(user_for(role)).post("/api/v1/campaigns/", payload, content_type="application/json")
    assert response.status_code == (API_WRITE[role] or 201)


@pytest.mark.parametrize("role", ROLES)
def test_api_update_is_for_marketers_and_managers(client_for, user_for, campaign, role):
    response = client_for(user_for(role)).patch(
        f"/api/v1/campaigns/{campaign.slug}/", {"status": "paused"}, content_type="application/json"
    )
    assert response.status_code == (API_WRITE[role] or 200)
    campaign.refresh_from_db()
    assert (campaign.status == "paused") == (role in ("marketer", "manager"))


@pytest.mark.parametrize("role", ROLES)
def test_api_stats_upsert_is_for_marketers_and_managers(client_for, user_for, campaign, role):
    response = client_for(user_for(role)).post(
        f"/api/v1/campaigns/{campaign.slug}/stats/",
        [{"date": "2026-09-01", "impressions": 10, "clicks": 1, "spend": "2.00"}],
        content_type="application/json",
    )
    assert response.status_code == (API_WRITE[role] or 200)
    assert campaign.daily_stats.exists() == (role in ("marketer", "manager"))
