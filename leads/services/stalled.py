"""Long work whose worker died: a CSV import or a full rescore whose progress stopped moving.

Each such row (`LeadImport`, `RescoreRun`) records when it last moved (`progressed_at`: when it was queued,
when a run started and with each committed batch) and how many runs started since then (`attempts`). A
worker killed midway (out of memory, SIGKILL, a lost host) leaves the row unfinished and, on kombu's
filesystem transport, its message gone; beat's `leads.resume_stalled_work` finds the rows that have not
moved for STALLED_WORK_MINUTES and sends their task again, and the run goes on from the database. A row
whose runs started MAX_STARTS times without moving it is given up, so that work that kills its worker
every time does not come back forever.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

# Runs started without a batch committed in between, after which a stalled row is given up (and runs
# still delivered return at once).
MAX_STARTS = 3


def stalled(queryset):
    """The rows of `queryset` that have not moved for STALLED_WORK_MINUTES."""
    return queryset.filter(progressed_at__lt=timezone.now() - timedelta(minutes=settings.STALLED_WORK_MINUTES))


def start(queryset, **fields) -> int:
    """Record a run starting on the rows of `queryset` (with `fields`), unless MAX_STARTS runs started
    without moving them; returns how many rows the run may work on."""
    return queryset.filter(attempts__lt=MAX_STARTS).update(
        attempts=F("attempts") + 1, progressed_at=timezone.now(), **fields
    )


def moved() -> dict:
    """The fields that record progress, for the UPDATE that writes a batch's counts."""
    return {"progressed_at": timezone.now(), "attempts": 0}


def ended() -> dict:
    """The fields for a run that ended on an exception it reported: it was not lost, so it is not counted."""
    return {"attempts": Greatest(F("attempts") - 1, Value(0))}


def resume_stalled(queryset, *, send, give_up: dict) -> tuple[int, int]:
    """Send again (`send(pk)`) the work of each stalled row of `queryset` (work not finished), or, for a row
    whose runs started MAX_STARTS times without moving it, update it with `give_up` (its failed state and
    message). Returns (sent again, given up).

    Sending again restarts the row's clock first, so the next sweep waits another stall period for the run
    to move; a run that was alive after all goes on beside the new one, which the services make safe.
    """
    rows = stalled(queryset)
    given_up = rows.filter(attempts__gte=MAX_STARTS).update(**give_up)
    sent = 0
    for pk, progressed_at in rows.values_list("pk", "progressed_at"):
        # Only the sweep that restarts the clock sends: two sweeps at once send once.
        if queryset.filter(pk=pk, progressed_at=progressed_at).update(progressed_at=timezone.now()):
            send(pk)
            sent += 1
    return sent, given_up
