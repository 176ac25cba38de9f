"""A CSV import whose run is killed midway (its task is then delivered again) or run twice at once: the
summary counts every row once, as the run that was not interrupted counts it, and the errors CSV lists every
refused row once."""

import csv
import io
import threading

import pytest
from celery.exceptions import Retry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection

from crm.tests.properties import rolled_back
from leads import tasks
from leads.imports import run as import_run
from leads.imports.run import ImportRun, run_import
from leads.imports.upload import queue_import, start_import
from leads.models import Lead, LeadImport
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

BATCH = 10


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch):
    monkeypatch.setattr(import_run, "BATCH_SIZE", BATCH)


def a_file(records=45) -> str:
    """Records with refused rows in several batches, a repeated email and a known lead in later batches, and
    a blank line (not a record)."""
    lines = ["email,first name,company,campaign"]
    for i in range(records):
        if i == 20:
            lines.append("")
        if i == 3:
            lines.append("not-an-email,Bad,Acme,")
        elif i == 14:
            lines.append(f"p{i}@example.com,Pat,Acme,no-such-campaign")
        elif i == 27:
            lines.append(f"p{i}@example.com,Short")
        elif i == 33:
            lines.append("p5@example.com,Again,Acme Again,")
        elif i == 38:
            lines.append("KNOWN@example.com,Known,Acme,spring-webinar")
        else:
            lines.append(f"p{i}@example.com,P{i},Company {i},")
    return "\n".join(lines) + "\n"


def queued(text, user) -> LeadImport:
    """An import queued as the mapping page queues it; the test then runs it as the task would."""
    lead_import = start_import(uploaded=SimpleUploadedFile("leads.csv", text.encode()), by=user)
    return queue_import(lead_import=lead_import, mapping=lead_import.mapping, campaign=None)


def summary(lead_import):
    lead_import.refresh_from_db()
    return lead_import.status, lead_import.processed, lead_import.created, lead_import.merged, lead_import.failed


def error_rows(lead_import):
    with lead_import.errors_file.open("rb") as file:
        return list(csv.reader(io.StringIO(file.read().decode())))[1:]


def uninterrupted(text, user):
    """The summary and errors CSV of the same file imported in one go (then rolled back)."""
    with rolled_back():
        lead_import = queued(text, user)
        run_import(lead_import.pk)
        return summary(lead_import), error_rows(lead_import)


@pytest.fixture
def known(campaign):
    return LeadFactory(email="known@example.com", company="Known Co")


def crash_on_write(monkeypatch, call, exception=None):
    """The run dies (SystemExit: as when its worker is killed) while writing its `call`-th batch, which is
    rolled back; returns the function that brings the import back to health."""
    write, calls = ImportRun._write, []

    def dying_write(self, folded):
        calls.append(1)
        if len(calls) == call:
            raise exception or SystemExit("worker killed")
        return write(self, folded)

    monkeypatch.setattr(ImportRun, "_write", dying_write)
    return lambda: monkeypatch.setattr(ImportRun, "_write", write)


def test_an_import_killed_after_two_batches_and_run_again_counts_every_row_once(monkeypatch, marketer, known):
    text = a_file()
    expected, expected_errors = uninterrupted(text, marketer)
    assert expected == (LeadImport.Status.DONE, 45, 40, 2, 3)

    lead_import = queued(text, marketer)
    revive = crash_on_write(monkeypatch, call=3)
    with pytest.raises(SystemExit):
        run_import(lead_import.pk)
    # What the killed run committed shows, and nothing of the batch it was writing.
    status, processed, created, merged, failed = summary(lead_import)
    assert status == LeadImport.Status.RUNNING
    assert BATCH < processed == created + merged + failed < 3 * BATCH
    assert Lead.objects.count() == 1 + created

    revive()
    progress = []
    monkeypatch.setattr(import_run, "reset_queries", lambda: progress.append(summary(lead_import)[1]))
    run_import(lead_import.pk)  # the task, delivered again
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors
    assert [int(line) for line, _reason, *_cells in error_rows(lead_import)] == [5, 16, 30]
    assert Lead.objects.count() == 1 + 40
    # The progress bar went on from where the killed run stopped, never back to the start.
    assert progress == sorted(progress) and progress[0] >= processed


def test_an_import_killed_in_its_last_batch_and_run_again_matches_the_uninterrupted_run(monkeypatch, marketer, known):
    text = a_file()
    expected, expected_errors = uninterrupted(text, marketer)
    lead_import = queued(text, marketer)
    revive = crash_on_write(monkeypatch, call=5)
    with pytest.raises(SystemExit):
        run_import(lead_import.pk)
    revive()
    run_import(lead_import.pk)
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors


def test_an_import_that_stopped_on_an_error_counts_every_row_once_when_it_is_run_again(monkeypatch, marketer, known):
    text = a_file()
    expected, expected_errors = uninterrupted(text, marketer)
    lead_import = queued(text, marketer)
    revive = crash_on_write(monkeypatch, call=2, exception=ZeroDivisionError())
    with pytest.raises(ZeroDivisionError):
        run_import(lead_import.pk)
    lead_import.refresh_from_db()
    assert lead_import.status == LeadImport.Status.FAILED
    assert f"stopped after {lead_import.processed} rows" in lead_import.error
    revive()
    run_import(lead_import.pk)
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors
    assert not lead_import.error


def test_a_database_error_mid_import_is_retried_by_the_task_and_ends_as_the_uninterrupted_run(
    monkeypatch, marketer, known
):
    text = a_file()
    expected, expected_errors = uninterrupted(text, marketer)
    lead_import = queued(text, marketer)
    revive = crash_on_write(monkeypatch, call=3, exception=OperationalError("server closed the connection"))
    with pytest.raises(Retry):  # the task asks Celery to run it again, with backoff
        tasks.import_leads.delay(lead_import.pk)
    revive()
    tasks.import_leads(lead_import.pk)  # the retry, as a worker runs it
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors


def test_a_run_delivered_again_while_the_first_still_runs_counts_each_batch_once(
    monkeypatch, marketer, known, settings
):
    """The second run starts between the first run's first and second batches and finishes the import; the
    first then finds every later batch committed and writes nothing more."""
    text = a_file()
    expected, expected_errors = uninterrupted(text, marketer)
    lead_import = queued(text, marketer)
    second_runs = []

    def between_batches():
        if not second_runs:
            second_runs.append(lead_import.pk)
            second_runs.append(run_import(lead_import.pk))

    monkeypatch.setattr(import_run, "reset_queries", between_batches)
    reports = settings.MEDIA_ROOT / "lead_imports" / "errors"
    earlier = set(reports.iterdir())
    run_import(lead_import.pk)
    assert second_runs[1].status == LeadImport.Status.DONE
    assert summary(lead_import) == expected
    assert error_rows(lead_import) == expected_errors
    # The first run's copy of the errors CSV was not kept beside the second's.
    assert [path.name for path in set(reports.iterdir()) - earlier] == [lead_import.errors_file.name.rsplit("/")[-1]]


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_same_import_at_once_write_and_count_each_batch_once(monkeypatch, marketer, campaign):
    """Two runs in two processes' worth of connections, racing for every batch (PostgreSQL: SQLite's test
    database lives in one connection)."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL")
    LeadFactory(email="known@example.com")
    text = a_file(records=400)
    monkeypatch.setattr(tasks.import_leads, "delay", lambda import_id: None)  # the threads run it
    lead_import = queued(text, marketer)
    failures = []
    # Both runs are under way before either reads the file.
    both_started, import_rows = threading.Barrier(2, timeout=30), import_run._import_rows

    def import_rows_beside_the_other(run):
        both_started.wait()
        import_rows(run)

    monkeypatch.setattr(import_run, "_import_rows", import_rows_beside_the_other)

    def run():
        try:
            run_import(lead_import.pk)
        except Exception as exc:  # reported by the test below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    assert summary(lead_import) == (LeadImport.Status.DONE, 400, 395, 2, 3)
    assert Lead.objects.count() == 1 + 395
    assert [int(line) for line, _reason, *_cells in error_rows(lead_import)] == [5, 16, 30]
