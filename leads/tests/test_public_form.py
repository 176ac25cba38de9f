import itertools

import pytest
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from leads.models import EventKind, Lead, LeadEvent

pytestmark = pytest.mark.django_db

# Each test sends from its own address: the rate limit is per IP and the cache is never cleared.
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def ip():
    return next(_addresses)


def form(**overrides):
    return {
        "first_name": "Vera",
        "last_name": "Visitor",
        "email": "vera@example.com",
        "company": "Visit Co",
        "consent": "on",
        "website": "",
        **overrides,
    }


def test_a_visitor_submits_the_form_and_becomes_a_lead_with_a_form_submit_event(client, campaign, ip):
    response = client.post("/capture/spring-webinar/", form(), REMOTE_ADDR=ip)
    assert response.status_code == 302
    assert response["Location"] == "/capture/spring-webinar/thanks/?confirm=1"
    lead = Lead.objects.get(email="vera@example.com")
    assert lead.first_touch_campaign == campaign
    assert not lead.marketing_consent  # until the confirmation link is opened (double opt-in)
    assert LeadEvent.objects.get(lead=lead).kind == EventKind.FORM_SUBMIT
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you" in thanks and "Open the link in it to confirm your subscription" in thanks


def test_the_form_and_thank_you_page_can_be_embedded_in_an_iframe(client, campaign):
    for path in ("/capture/spring-webinar/", "/capture/spring-webinar/thanks/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "X-Frame-Options" not in response


def test_other_pages_still_refuse_to_be_framed(client_for, marketer):
    assert client_for(marketer).get("/leads/")["X-Frame-Options"] == "DENY"


def test_without_consent_the_lead_is_kept_but_not_opted_in(client, campaign, ip):
    client.post("/capture/spring-webinar/", form(consent=""), REMOTE_ADDR=ip)
    lead = Lead.objects.get()
    assert not lead.marketing_consent
    assert lead.consent_at is None


def test_missing_fields_are_shown_and_nothing_is_saved(client, campaign, ip):
    response = client.post("/capture/spring-webinar/", form(email="nope", first_name=""), REMOTE_ADDR=ip)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid email address" in page
    assert "This field is required" in page
    assert not Lead.objects.exists()


def test_a_filled_honeypot_is_thanked_and_ignored(client, campaign, ip):
    response = client.post("/capture/spring-webinar/", form(website="http://spam.example"), REMOTE_ADDR=ip)
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_the_eleventh_submission_in_a_minute_from_one_address_gets_a_429(client, campaign, ip):
    for n in range(10):
        assert (
            client.post("/capture/spring-webinar/", form(email=f"v{n}@example.com"), REMOTE_ADDR=ip).status_code == 302
        )
    response = client.post("/capture/spring-webinar/", form(email="v10@example.com"), REMOTE_ADDR=ip)
    assert response.status_code == 429
    assert "Too many submissions" in response.content.decode()
    assert Lead.objects.count() == 10
    other = next(_addresses)
    assert client.post("/capture/spring-webinar/", form(email="o@example.com"), REMOTE_ADDR=other).status_code == 302


def test_unknown_and_archived_campaigns_have_no_form(client):
    CampaignFactory(slug="old", archived_at=timezone.now())
    assert client.get("/capture/nope/").status_code == 404
    assert client.get("/capture/old/").status_code == 404
    assert client.get("/capture/old/thanks/").status_code == 404


def test_the_form_works_inside_a_cross_site_iframe_where_no_csrf_cookie_is_sent(campaign, ip):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/capture/spring-webinar/", form(), REMOTE_ADDR=ip)
    assert response.status_code == 302
    assert Lead.objects.filter(email="vera@example.com").exists()
