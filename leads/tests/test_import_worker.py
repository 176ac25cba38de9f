import os
import signal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from conftest import lock_rows, wait_until
from crm.celery import app
from leads.imports.run import BATCH_SIZE
from leads.imports.upload import queue_import, start_import
from leads.models import Lead, LeadImport, ScoreRequest
from leads.tasks import DRAIN_KEY
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_the_import_queued_after_commit(celery_worker, settings, marketer):
    # The worker process reads the uploaded file from the same MEDIA_ROOT (shared storage in production).
    settings.MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", settings.BASE_DIR / "media"))
    rows = "".join(f"worker{i}@example.com,W{i}\n" for i in range(2500))
    uploaded = SimpleUploadedFile("worker.csv", f"email,first name\n{rows}bad,row\n".encode())
    lead_import = start_import(uploaded=uploaded, by=marketer)
    queue_import(lead_import=lead_import, mapping=lead_import.mapping, campaign=None)

    def finished():
        lead_import.refresh_from_db()
        return lead_import.is_finished

    wait_until(finished, timeout=60)
    assert lead_import.status == LeadImport.Status.DONE
    assert (lead_import.created, lead_import.failed, lead_import.total_rows) == (2500, 1, 2501)
    assert Lead.objects.filter(email__startswith="worker").count() == 2500
    # The import asked for the new leads' scores; more than a ring's batch, so the drain chain scores them.
    celery_worker.wait_until_idle()
    assert not Lead.objects.filter(email__startswith="worker", scored_at__isnull=True).exists()
    assert not ScoreRequest.objects.exists()
    assert cache.get(DRAIN_KEY) is None
    lead_import.file.delete()
    lead_import.errors_file.delete()


def _import_waiting_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND query LIKE 'UPDATE \"leads_lead\"%'"
        )
        return cursor.fetchone()


def _import_process():
    for running in (app.control.inspect(timeout=1).active() or {}).values():
        for task in running:
            if task["name"] == "leads.import_leads":
                return task["worker_pid"]
    return None


def test_an_import_whose_worker_process_is_killed_midway_ends_with_the_summary_of_an_uninterrupted_run(
    celery_worker, settings, marketer
):
    """The worker process dies (SIGKILL) in the second batch, after the first committed: the task is
    delivered again, goes on after the first batch and counts every row once (the killed run's leads are
    not counted again as merged)."""
    settings.MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", settings.BASE_DIR / "media"))
    # A known lead in the second batch; scored already, so that only the import writes it.
    held = LeadFactory(email="killed-1500@example.com", scored_at=timezone.now())
    rows = "".join(f"killed-{i}@example.com,K{i}\n" for i in range(2500))
    uploaded = SimpleUploadedFile("killed.csv", f"email,first name\n{rows}bad,row\n".encode())
    lead_import = start_import(uploaded=uploaded, by=marketer)
    # The import's second batch waits for this lock, holding its uncommitted writes, until the kill.
    holder = lock_rows("SELECT 1 FROM leads_lead WHERE id = %s FOR UPDATE", [held.pk])
    try:
        queue_import(lead_import=lead_import, mapping=lead_import.mapping, campaign=None)
        wait_until(_import_waiting_for_a_lock, timeout=60)
        lead_import.refresh_from_db()
        assert (lead_import.status, lead_import.processed, lead_import.created) == ("running", BATCH_SIZE, BATCH_SIZE)
        os.kill(wait_until(_import_process, timeout=20), signal.SIGKILL)
    finally:
        holder.close()

    def finished():
        lead_import.refresh_from_db()
        return lead_import.is_finished

    wait_until(finished, timeout=60)
    summary = (lead_import.status, lead_import.processed, lead_import.created, lead_import.merged, lead_import.failed)
    assert summary == (LeadImport.Status.DONE, 2501, 2499, 1, 1)
    assert Lead.objects.filter(email__startswith="killed-").count() == 2500
    with lead_import.errors_file.open("rb") as errors:
        assert errors.read().decode().splitlines()[1:] == ['"2502","Invalid email: bad.","bad","row"']
    lead_import.file.delete()
    lead_import.errors_file.delete()
