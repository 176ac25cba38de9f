"""A lead's events and score request have no database constraint (LeadEvent.lead says why): deleting a lead
deletes them, and a sweep after the commit deletes what a batch running at that moment wrote after the
cascade."""

import psycopg2
import pytest
from celery.exceptions import Retry
from django.db import connection, transaction
from django.utils import timezone

from conftest import require_postgres
from crm.bulk_insert import insert_rows
from leads.models import Lead, LeadEvent, ScoreRequest
from leads.scoring.queue import request_scores
from leads.services import events
from leads.services.events import EVENT_COLUMNS, record_events
from leads.tasks import sweep_deleted_leads
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def write_late(lead_id: int) -> None:
    """What a batch that read the lead before its deletion writes after it: an event and a score request,
    straight into the tables (as no check or constraint stops it)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    insert_rows(LeadEvent._meta.db_table, EVENT_COLUMNS, [(lead_id, "page_view", None, now, "{}", "", now)])
    request_scores([lead_id])


def test_deleting_a_lead_deletes_its_events_and_its_score_request():
    lead, kept = LeadFactory.create_batch(2)
    record_events(items=[{"index": n, "lead": who.pk, "kind": "page_view"} for n, who in enumerate([lead, kept])])
    lead.delete()
    assert list(LeadEvent.objects.values_list("lead_id", flat=True)) == [kept.pk]
    assert list(ScoreRequest.objects.values_list("lead_id", flat=True)) == [kept.pk]


def test_the_sweep_after_the_commit_deletes_what_was_written_after_the_cascade(django_capture_on_commit_callbacks):
    lead, kept = LeadFactory.create_batch(2)
    record_events(items=[{"index": 0, "lead": kept.pk, "kind": "page_view"}])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        gone = lead.pk
        lead.delete()
        write_late(gone)
        assert LeadEvent.objects.filter(lead_id=gone).exists()
    assert not LeadEvent.objects.filter(lead_id=gone).exists()
    assert not ScoreRequest.objects.filter(lead_id=gone).exists()
    assert LeadEvent.objects.filter(lead_id=kept.pk).count() == 1


def test_the_sweep_touches_only_leads_that_are_gone_and_running_it_twice_changes_nothing():
    lead, kept = LeadFactory.create_batch(2)
    gone = lead.pk
    Lead.objects.filter(pk=gone).delete()
    write_late(gone)
    write_late(kept.pk)
    assert events.delete_left_behind([gone, kept.pk]) == 1
    assert events.delete_left_behind([gone, kept.pk]) == 0
    assert list(LeadEvent.objects.values_list("lead_id", flat=True)) == [kept.pk]


def test_events_for_a_deleted_lead_are_refused_with_its_id():
    lead = LeadFactory()
    gone = lead.pk
    lead.delete()
    result = record_events(items=[{"index": 0, "lead": gone, "kind": "page_view"}])
    assert result.stored == 0
    assert result.errors == [{"index": 0, "errors": {"lead": [f"No lead with id {gone}."]}}]
    assert not LeadEvent.objects.exists()


def test_the_sweep_waits_for_the_transactions_open_at_the_deletion():
    require_postgres()
    lead = LeadFactory()
    gone = lead.pk
    lead.delete()
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        other.cursor().execute("SELECT 1")  # a transaction begins, as a batch's would
        deleted_by = events.database_now()
        assert events.transactions_open_since(deleted_by)
        write_late(gone)
        with pytest.raises(Retry):
            sweep_deleted_leads([gone], deleted_by.isoformat())
        assert LeadEvent.objects.filter(lead_id=gone).exists()
        other.rollback()
        assert not events.transactions_open_since(deleted_by)
        assert sweep_deleted_leads([gone], deleted_by.isoformat()) == 1
    finally:
        other.close()
    assert not LeadEvent.objects.filter(lead_id=gone).exists()
