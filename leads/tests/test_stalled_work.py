"""Beat's sweep of stalled work: an import or a rescore whose worker died (or whose message was lost) is sent
again once its progress has not moved for STALLED_WORK_MINUTES, and finishes as if nothing had happened;
work that moved recently is left alone, and work whose runs keep dying is given up with its reason."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from crm.celery import app
from leads import tasks
from leads.imports import run as import_run
from leads.imports.run import ImportRun, run_import
from leads.models import Lead, LeadImport, RescoreRun
from leads.scoring.runs import start_rescore
from leads.services.stalled import MAX_STARTS
from leads.tests.factories import LeadFactory
from leads.tests.test_import_resume import BATCH, a_file, error_rows, queued, summary, uninterrupted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch):
    monkeypatch.setattr(import_run, "BATCH_SIZE", BATCH)


@pytest.fixture
def known(campaign):
    return LeadFactory(email="known@example.com", company="Known Co")


@pytest.fixture
def lost_messages(monkeypatch):
    """The import task's messages are taken by workers that die: returns the ids of the imports sent."""
    sent = []
    monkeypatch.setattr(tasks.import_leads, "delay", sent.append)
    return sent


def stall(row) -> None:
    """Nothing has moved `row` for longer than STALLED_WORK_MINUTES."""
    long_ago = timezone.now() - timedelta(minutes=settings.STALLED_WORK_MINUTES + 1)
    type(row).objects.filter(pk=row.pk).update(progressed_at=long_ago)


def dying_runs(monkeypatch, batches: int):
    """Each run of an import writes `batches` batches, then dies (SystemExit: as when its worker is killed);
    returns the function that brings the import back to health."""
    write = ImportRun._write

    def dying_write(self, folded):
        self.batches_written = getattr(self, "batches_written", 0) + 1
        if self.batches_written > batches:
            raise SystemExit("worker killed")
        return write(self, folded)

    monkeypatch.setattr(ImportRun, "_write", dying_write)
    return lambda: monkeypatch.setattr(ImportRun, "_write", write)


def test_a_queued_import_whose_message_was_lost_is_sent_again_and_counts_every_row_once(marketer, known):
    expected, expected_errors = uninterrupted(a_file(), marketer)
    lead_import = queued(a_file(), marketer)  # its message never reaches a worker
    assert tasks.resume_stalled_work()["imports"] == (0, 0)  # queued a moment ago: not stalled yet

    stall(lead_import)
    assert tasks.resume_stalled_work()["imports"] == (1, 0)  # sent, and run (eagerly, here) to the end

    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors
    assert Lead.objects.count() == 1 + 40


def test_an_import_whose_worker_died_midway_is_finished_by_the_sweep(marketer, known, monkeypatch, lost_messages):
    expected, expected_errors = uninterrupted(a_file(), marketer)
    lead_import = queued(a_file(), marketer)
    revive = dying_runs(monkeypatch, batches=2)
    with pytest.raises(SystemExit):
        run_import(lead_import.pk)
    assert summary(lead_import)[:2] == (LeadImport.Status.RUNNING, 2 * BATCH)

    stall(lead_import)
    assert tasks.resume_stalled_work()["imports"] == (1, 0)
    assert lost_messages == [lead_import.pk]
    # Sent again, its clock starts over: the next sweep waits a stall period for the new run to move.
    assert tasks.resume_stalled_work()["imports"] == (0, 0)

    revive()
    run_import(lead_import.pk)  # the task sent again, as a worker runs it
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors
    assert Lead.objects.count() == 1 + 40


def test_a_running_import_that_moved_recently_is_left_alone(marketer, known, monkeypatch, lost_messages):
    lead_import = queued(a_file(), marketer)
    dying_runs(monkeypatch, batches=1)
    with pytest.raises(SystemExit):
        run_import(lead_import.pk)

    assert tasks.resume_stalled_work()["imports"] == (0, 0)
    assert lost_messages == []
    assert summary(lead_import)[:2] == (LeadImport.Status.RUNNING, BATCH)


def test_an_import_sent_again_while_its_first_run_is_alive_but_slow_counts_every_row_once(marketer, known, monkeypatch):
    """The first run is slow after its first batch: the sweep sends the import again, and that run (eager
    here: at once) finishes it; the first then finds every later batch committed and writes nothing."""
    expected, expected_errors = uninterrupted(a_file(), marketer)
    lead_import = queued(a_file(), marketer)
    sweeps = []

    def slow_between_batches():
        if not sweeps:
            sweeps.append("sweeping")
            stall(lead_import)
            sweeps[0] = tasks.resume_stalled_work()

    monkeypatch.setattr(import_run, "reset_queries", slow_between_batches)
    run_import(lead_import.pk)

    assert sweeps == [{"imports": (1, 0), "rescores": (0, 0)}]
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors
    assert Lead.objects.count() == 1 + 40


def test_an_import_whose_runs_keep_dying_before_a_batch_is_given_up(marketer, known, monkeypatch, lost_messages):
    lead_import = queued(a_file(), marketer)
    revive = dying_runs(monkeypatch, batches=1)
    with pytest.raises(SystemExit):
        run_import(lead_import.pk)  # the first run moves one batch, then dies
    leads_imported = Lead.objects.count()
    revive()
    dying_runs(monkeypatch, batches=0)  # from now on every run dies before its first batch
    for _ in range(MAX_STARTS):
        with pytest.raises(SystemExit):
            run_import(lead_import.pk)
        stall(lead_import)
        tasks.resume_stalled_work()
    assert len(lost_messages) == MAX_STARTS - 1

    lead_import.refresh_from_db()
    assert lead_import.status == LeadImport.Status.FAILED
    assert f"stopped {MAX_STARTS} times" in lead_import.error
    assert "Rows already imported are kept" in lead_import.error
    assert (lead_import.processed, Lead.objects.count()) == (BATCH, leads_imported)
    # A message still delivered (Redis hands a killed worker's task back) no longer runs the import.
    run_import(lead_import.pk)
    assert tasks.resume_stalled_work()["imports"] == (0, 0)


def test_an_import_whose_runs_die_after_moving_is_sent_again_until_it_is_done(
    marketer, known, monkeypatch, lost_messages
):
    expected, expected_errors = uninterrupted(a_file(), marketer)
    lead_import = queued(a_file(), marketer)
    dying_runs(monkeypatch, batches=1)  # each run writes one batch (of five), then its worker dies
    runs = 0
    while summary(lead_import)[0] != LeadImport.Status.DONE:
        runs += 1
        try:
            run_import(lead_import.pk)
        except SystemExit:
            stall(lead_import)
            tasks.resume_stalled_work()
    assert runs == 5 > MAX_STARTS
    assert len(lost_messages) == 4
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors


def test_a_rescore_whose_worker_died_is_run_again_to_the_end():
    LeadFactory.create_batch(3)
    run = RescoreRun.objects.create(status=RescoreRun.Status.RUNNING, processed=1, total=3, attempts=1)
    assert tasks.resume_stalled_work()["rescores"] == (0, 0)  # it moved a moment ago

    stall(run)
    assert tasks.resume_stalled_work()["rescores"] == (1, 0)

    run.refresh_from_db()
    assert (run.status, run.processed, run.total, run.error) == (RescoreRun.Status.DONE, 3, 3, "")
    assert not Lead.objects.filter(scored_at__isnull=True).exists()


def test_a_rescore_whose_message_was_lost_is_sent_again():
    LeadFactory()
    run = start_rescore()  # its message never reaches a worker
    stall(run)
    assert tasks.resume_stalled_work()["rescores"] == (1, 0)
    run.refresh_from_db()
    assert (run.status, run.processed) == (RescoreRun.Status.DONE, 1)


def test_a_rescore_whose_runs_keep_dying_is_failed_with_its_reason_on_the_scoring_page(client_for, marketer):
    LeadFactory()
    run = RescoreRun.objects.create(status=RescoreRun.Status.RUNNING, processed=0, total=1, attempts=MAX_STARTS)
    stall(run)
    assert tasks.resume_stalled_work()["rescores"] == (0, 1)

    run.refresh_from_db()
    assert run.status == RescoreRun.Status.FAILED and run.finished_at
    page = client_for(marketer).get(reverse("leads:scoring"))
    assert f"The rescore stopped {MAX_STARTS} times" in page.text
    assert 'hx-trigger="every 1s"' not in page.text  # the progress bar stops polling


def test_beat_sends_the_sweep_of_stalled_work():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["leads.resume_stalled_work"] < settings.STALLED_WORK_MINUTES * 60
    assert "leads.resume_stalled_work" in app.tasks
