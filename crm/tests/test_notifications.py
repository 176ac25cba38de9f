"""Notifications: unread ones stand out and make the menu's badge; opening one, or "Mark all read", reads it."""

import re

import pytest
from django.utils import timezone

from crm.models import Notification
from crm.notifications import notify

pytestmark = pytest.mark.django_db


def badge(html: str) -> str | None:
    """The unread count in the menu's Notifications button, or None when it shows no badge."""
    button = html[html.index('data-testid="notifications"') :]
    button = button[: button.index("</a>")]
    found = re.search(r'badge[^>]*>(\d+)<span class="visually-hidden"> unread', button)
    return found.group(1) if found else None


@pytest.fixture
def three(rep):
    old = notify(users=[rep], message="Old MQL for you: Ada", url="/inbox/")[0]
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    notify(users=[rep], message="New MQL for you: Bo", url="/inbox/")
    notify(users=[rep], message="New MQL for you: Cy", url="/leads/")
    return Notification.objects.filter(user=rep)


def test_the_list_marks_the_unread_ones_and_reading_it_reads_none(client_for, rep, three):
    client = client_for(rep)
    html = client.get("/notifications/").content.decode()
    assert html.count('data-unread="true"') == 2
    assert html.count('data-unread="false"') == 1
    assert "2 unread" in html
    assert badge(html) == "2"
    client.get("/notifications/")
    assert three.filter(read_at__isnull=True).count() == 2


def test_opening_a_notification_reads_it_and_goes_where_it_points(client_for, rep, three):
    client = client_for(rep)
    cy = three.get(message__endswith="Cy")
    html = client.get("/notifications/").content.decode()
    assert f'href="/notifications/{cy.pk}/"' in html
    response = client.get(f"/notifications/{cy.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/leads/"
    cy.refresh_from_db()
    assert cy.read_at is not None
    assert badge(client.get("/notifications/").content.decode()) == "1"


def test_mark_all_read_reads_every_one_and_the_badge_goes(client_for, rep, other_rep, three):
    notify(users=[other_rep], message="Someone else's MQL", url="/inbox/")
    client = client_for(rep)
    response = client.post("/notifications/read/", follow=True)
    html = response.content.decode()
    assert "2 notifications marked read." in html
    assert 'data-unread="true"' not in html
    assert badge(html) is None
    assert "Mark all read" not in html
    assert Notification.objects.filter(user=other_rep, read_at__isnull=True).count() == 1


def test_someone_elses_notification_does_not_open_and_stays_unread(client_for, other_rep, three):
    bo = three.get(message__endswith="Bo")
    assert client_for(other_rep).get(f"/notifications/{bo.pk}/").status_code == 404
    bo.refresh_from_db()
    assert bo.read_at is None


def test_a_notification_never_sends_anyone_off_the_site(client_for, rep):
    (away,) = notify(users=[rep], message="Look", url="https://evil.example/phish")
    response = client_for(rep).get(f"/notifications/{away.pk}/")
    assert response["Location"] == "/notifications/"
