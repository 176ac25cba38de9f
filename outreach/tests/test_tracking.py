"""Opens and clicks: the pixel and the click redirect record one event per email (per link), replays and
forged or expired links record nothing, and no link ever redirects anywhere Relay did not sign."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from leads.models import EventKind, LeadEvent
from leads.tasks import score_stale_leads
from outreach import tracking
from outreach.models import EmailClick
from outreach.tests.factories import EmailFactory
from outreach.views.tracking import PIXEL

pytestmark = pytest.mark.django_db

TARGET = "https://relay.example/pricing?plan=team"


@pytest.fixture
def email():
    return EmailFactory()


def pixel_path(email) -> str:
    return f"/e/o/{tracking.open_token(email)}.gif"


def click_path(email, url=TARGET) -> str:
    return f"/e/c/{tracking.click_token(email, url)}/"


def signed_long_ago(make, *args) -> str:
    """A link made TRACKING_LINK_DAYS and a day ago."""
    then = (timezone.now() - timedelta(days=181)).timestamp()
    with mock.patch("django.core.signing.time.time", return_value=then):
        return make(*args)


def events(email, kind):
    return LeadEvent.objects.filter(lead=email.lead, kind=kind)


def assert_pixel(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content == PIXEL
    assert "no-store" in response["Cache-Control"]


# --- The pixel ----------------------------------------------------------------------------------------


def test_the_first_open_records_one_email_open_event_on_the_lead(client, email):
    assert_pixel(client.get(pixel_path(email)))
    [event] = events(email, EventKind.EMAIL_OPEN)
    assert event.external_id == f"email:{email.pk}:open"
    assert event.properties == {"email": email.pk}
    email.refresh_from_db()
    assert email.opened_at is not None and email.open_count == 1


def test_opening_again_only_counts(client, email):
    client.get(pixel_path(email))
    email.refresh_from_db()
    first_open = email.opened_at
    for _ in range(2):
        assert_pixel(client.get(pixel_path(email)))
    assert events(email, EventKind.EMAIL_OPEN).count() == 1
    email.refresh_from_db()
    assert email.open_count == 3 and email.opened_at == first_open


def test_a_forged_pixel_answers_the_image_and_touches_no_table(client, email, django_assert_num_queries):
    forged = tracking.open_token(email)[:-2] + "xx"
    with django_assert_num_queries(0):
        for path in (f"/e/o/{forged}.gif", f"/e/o/{email.token}.gif", "/e/o/nonsense.gif"):
            assert_pixel(client.get(path))
    assert not LeadEvent.objects.exists()


def test_an_expired_pixel_answers_the_image_and_records_nothing(client, email, django_assert_num_queries):
    old = signed_long_ago(tracking.open_token, email)
    with django_assert_num_queries(0):
        assert_pixel(client.get(f"/e/o/{old}.gif"))
    email.refresh_from_db()
    assert email.open_count == 0 and not LeadEvent.objects.exists()


def test_a_click_token_is_no_pixel(client, email):
    assert_pixel(client.get(f"/e/o/{tracking.click_token(email, TARGET)}.gif"))
    assert not LeadEvent.objects.exists()


def test_the_pixel_of_a_deleted_email_answers_the_image(client, email):
    path = pixel_path(email)
    email.delete()
    assert_pixel(client.get(path))
    assert not LeadEvent.objects.exists()


def test_a_head_request_or_a_link_scanner_counts_no_open(client, email):
    assert client.head(pixel_path(email)).status_code == 200
    assert_pixel(client.get(pixel_path(email), headers={"User-Agent": "Mozilla/5.0 (Barracuda Sentinel)"}))
    email.refresh_from_db()
    assert email.open_count == 0 and not LeadEvent.objects.exists()


def test_the_pixel_and_the_links_need_no_sign_in(client, email):
    assert client.get(pixel_path(email)).status_code == 200
    assert client.get(click_path(email)).status_code == 302


def test_an_open_raises_the_leads_score(client, email, django_capture_on_commit_callbacks):
    score_stale_leads()
    email.lead.refresh_from_db()
    before = email.lead.score
    with django_capture_on_commit_callbacks(execute=True):
        client.get(pixel_path(email))
    score_stale_leads()
    email.lead.refresh_from_db()
    assert email.lead.score == before + 1  # an email open: 1 point by default


# --- Clicks -------------------------------------------------------------------------------------------


def test_a_click_redirects_to_the_signed_address_and_records_one_event(client, email):
    response = client.get(click_path(email))
    assert response.status_code == 302
    assert response["Location"] == TARGET
    assert "no-store" in response["Cache-Control"]
    click = EmailClick.objects.get(email=email)
    assert (click.url, click.count) == (TARGET, 1)
    [event] = events(email, EventKind.EMAIL_CLICK)
    assert event.external_id == f"email:{email.pk}:click:{click.pk}"
    assert event.properties == {"email": email.pk, "url": TARGET}


def test_clicking_a_link_again_counts_and_another_link_is_a_new_event(client, email):
    for _ in range(3):
        assert client.get(click_path(email))["Location"] == TARGET
    assert client.get(click_path(email, "https://relay.example/demo"))["Location"] == "https://relay.example/demo"
    assert EmailClick.objects.get(email=email, url=TARGET).count == 3
    assert events(email, EventKind.EMAIL_CLICK).count() == 2
    email.refresh_from_db()
    assert email.click_count == 4 and email.clicked_at is not None


def test_a_forged_click_link_redirects_nowhere(client, email):
    token = tracking.click_token(email, TARGET)
    evil = signing.dumps([email.token, "https://evil.example/"], salt="another.salt", compress=True)
    for signed in (token[:-3] + "abc", evil, tracking.open_token(email), "https:--evil.example"):
        response = client.get(f"/e/c/{signed}/")
        assert response.status_code == 404
        assert "Location" not in response
        assert "This link has expired" in response.content.decode()
    assert not EmailClick.objects.exists() and not LeadEvent.objects.exists()


def test_an_expired_click_link_shows_a_page_and_redirects_nowhere(client, email):
    old = signed_long_ago(tracking.click_token, email, TARGET)
    response = client.get(f"/e/c/{old}/")
    assert response.status_code == 404
    assert "Location" not in response
    assert "This link has expired" in response.content.decode()
    assert not EmailClick.objects.exists()


def test_only_http_addresses_are_ever_signed_as_redirects(email):
    smuggled = signing.dumps([email.token, "javascript:alert(1)"], salt=tracking.CLICK_SALT, compress=True)
    with pytest.raises(tracking.TrackingLinkError):
        tracking.clicked_link(smuggled)


def test_a_link_scanner_is_redirected_but_counts_no_click(client, email):
    response = client.get(click_path(email), headers={"User-Agent": "Mimecast URL Protect"})
    assert response["Location"] == TARGET
    assert not EmailClick.objects.exists()


def test_an_address_over_its_budget_is_answered_but_counted_no_more(client, email):
    address = "203.0.113.9"
    cache.delete(f"outreach:tracking-rate:{address}")
    with mock.patch("outreach.views.tracking.TRACKING_RATE_LIMIT", 2):
        for _ in range(4):
            assert_pixel(client.get(pixel_path(email), REMOTE_ADDR=address))
    email.refresh_from_db()
    assert email.open_count == 2
