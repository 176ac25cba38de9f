import threading

import pytest
from django.db import connection

from leads.models import Lead, LeadEvent
from leads.services.capture import capture_lead

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's in-memory test database locks whole tables across threads; the race is PostgreSQL's to prove.
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="concurrent writers need PostgreSQL (the SQLite test database is in memory)",
    ),
]


def test_simultaneous_captures_of_a_new_email_make_one_lead_and_keep_every_event():
    threads, errors = 6, []
    barrier = threading.Barrier(threads)

    def capture(n):
        try:
            barrier.wait()
            capture_lead(
                data={"email": "Same@Example.com" if n % 2 else "same@example.com", "company": f"C{n}"}, source="api"
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=capture, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert Lead.objects.count() == 1
    assert LeadEvent.objects.count() == threads
