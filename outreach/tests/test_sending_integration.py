"""A real Celery worker (PostgreSQL and Redis) sends the queued email through a real SMTP server, once even
when the task is delivered twice, and its beat sweep finishes an email a dead worker held."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import require_postgres, start_worker, wait_until
from leads.tests.factories import LeadFactory
from outreach import sending, tasks
from outreach.models import Email

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_worker(smtp_server, private_redis, broker_at):
    """A worker of its own on a private Redis, its EMAIL_URL pointed at the test's SMTP server."""
    require_postgres()
    broker_at(private_redis.url)
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}"}
    worker = start_worker(private_redis.url, "mail", ".celery-mail-worker.log", env)
    yield worker
    worker.stop()


def status_of(email) -> str:
    return Email.objects.values_list("status", flat=True).get(pk=email.pk)


def test_the_worker_sends_a_queued_email_once_though_its_task_comes_twice(mail_worker, smtp_server, rep):
    lead = LeadFactory(first_name="Dana")
    with transaction.atomic():
        email = sending.queue_email(lead=lead, sender=rep, subject="Hi {{ lead.first_name }}", body="Thanks.")
    tasks.send_email.delay(email.pk)  # a second delivery of the same work
    wait_until(lambda: status_of(email) == Email.Status.SENT, timeout=20)
    mail_worker.wait_until_idle()
    assert [message["Subject"] for message in smtp_server.messages] == ["Hi Dana"]
    assert Email.objects.get(pk=email.pk).attempts == 1


def test_the_sweep_on_the_worker_finishes_an_email_a_dead_worker_held(mail_worker, smtp_server, rep):
    lead = LeadFactory()
    stale = timezone.now() - sending.CLAIM_LEASE - timedelta(seconds=5)
    email = Email.objects.create(
        lead=lead, sender=rep, to_address=lead.email, subject="Left behind", body="b", claimed_at=stale, attempts=1
    )
    tasks.send_queued_emails.delay()
    wait_until(lambda: status_of(email) == Email.Status.SENT, timeout=20)
    assert [message["Subject"] for message in smtp_server.messages] == ["Left behind"]
