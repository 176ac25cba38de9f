"""Two first opens, or two first clicks on one link, at the same moment record one event (PostgreSQL:
SQLite runs one writer at a time). A second session holds the email's row so that both requests are
inside their transactions, past their reads, when it lets go."""

import threading

import pytest
from django.db import connection, connections

from conftest import lock_rows, require_postgres, wait_until
from leads.models import EventKind, LeadEvent
from outreach import engagement
from outreach.models import Email, EmailClick
from outreach.tests.factories import EmailFactory

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "https://relay.example/pricing"


def sessions_waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race(record, email: Email, requests: int = 2) -> list[bool]:
    """Run `record` for `email` in `requests` threads while the email's row is locked; their answers."""
    holder = lock_rows("SELECT id FROM outreach_email WHERE id = %s FOR UPDATE", [email.pk])
    answers, errors = [], []

    def request():
        try:
            answers.append(record(email.token))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(requests)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: sessions_waiting_on_locks() >= requests)
    finally:
        holder.rollback()
        holder.close()
    for thread in threads:
        thread.join()
    assert not errors
    return answers


def test_two_first_opens_at_once_record_one_event():
    require_postgres()
    email = EmailFactory()
    answers = race(lambda token: engagement.record_open(email_token=token), email)
    assert sorted(answers) == [False, True]
    assert LeadEvent.objects.filter(lead=email.lead, kind=EventKind.EMAIL_OPEN).count() == 1
    email.refresh_from_db()
    assert email.open_count == 2


def test_two_first_clicks_on_one_link_at_once_record_one_event():
    require_postgres()
    email = EmailFactory()
    answers = race(lambda token: engagement.record_click(email_token=token, url=TARGET), email)
    assert sorted(answers) == [False, True]
    assert LeadEvent.objects.filter(lead=email.lead, kind=EventKind.EMAIL_CLICK).count() == 1
    assert EmailClick.objects.get(email=email).count == 2
    email.refresh_from_db()
    assert email.click_count == 2
