import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import wait_until
from leads.imports import queue_import, start_import
from leads.models import Lead, LeadImport, ScoreRequest
from leads.tasks import DRAIN_KEY

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
