"""An open, end to end on PostgreSQL with Redis and a real worker: the pixel's event rings scoring, and
the worker's score of the lead counts it."""

import pytest

from conftest import wait_until
from leads.models import Lead
from outreach import tracking
from outreach.tests.factories import EmailFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_opening_an_email_raises_its_leads_score_through_the_worker(celery_worker, client):
    email = EmailFactory()
    response = client.get(f"/e/o/{tracking.open_token(email)}.gif")
    assert response.status_code == 200
    lead = wait_until(lambda: Lead.objects.filter(pk=email.lead_id, last_event_at__isnull=False).first(), timeout=15)
    assert lead.score == lead.fit_score + 1  # an email open: 1 point by default, just now
