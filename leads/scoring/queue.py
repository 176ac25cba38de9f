"""The scoring queue: leads waiting for a new score (`ScoreRequest` rows), and the runs that answer them
set-based, a batch at a time (rung by a doorbell after each change, swept by beat)."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from crm.bulk_insert import CHUNK, insert_rows
from leads.models import Lead, ScoreRequest
from leads.scoring.rescore import leads_ready_for_handover, newest_event_at, rescore_batch
from leads.scoring.rules import Ruleset

SCORE_REQUEST_COLUMNS = ["lead_id", "ticket", "requested_at"]


def request_scores(lead_ids) -> None:
    """Queue `lead_ids` for a new score in the current transaction, and ring the scoring doorbell once it
    commits.

    One narrow upsert per lead (a `ScoreRequest` with a fresh ticket), not a write of the lead row: nothing
    is lost while the broker is down, since the `score_stale_leads` sweep scores every queued lead.
    """
    from leads import tasks  # tasks import this module

    ids = sorted(set(lead_ids))  # sorted: concurrent batches lock their requests in one order
    if not ids:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ((lead_id, secrets.randbits(62), now) for lead_id in ids)
    insert_rows(ScoreRequest._meta.db_table, SCORE_REQUEST_COLUMNS, rows, update_on_conflict="lead_id")
    transaction.on_commit(tasks.ring_scoring, robust=True)


def requests_waiting() -> bool:
    """Whether `score_requested` would find anything to score."""
    return ScoreRequest.objects.exists() or Lead.objects.filter(scored_at__isnull=True).exists()


@dataclass
class ScoredBatch:
    """What `score_requested` did: the leads it scored, and those of them that now qualify for a hand-over,
    each with the ticket of its score request (None for a lead scored without one), still queued."""

    ids: list[int]
    ready: dict[int, int | None]


@transaction.atomic
def score_requested(*, limit: int, newest_first: bool = True, now: datetime | None = None) -> ScoredBatch:
    """Answer up to `limit` score requests, set-based, plus leads never scored.

    Newest first by default: after an import has queued a hundred thousand leads, a demo request made now
    is scored in the next run, not behind the import (which a drain, oldest first, works through).

    A lead's `last_event_at` moves to its newest event in the same write (events sent through the API do
    not write the lead row). A request is consumed only when its work is done: here for a lead that does
    not qualify; for one that does, in the transaction of its hand-over (`handoff.hand_over_mql`), so that a
    worker that dies in between leaves the request for the next run. Each request is deleted only if its
    ticket is still the one read here: a request renewed meanwhile by a new event stays queued.

    Locks are taken in the writers' order, leads (by id) before their requests: a capture holds its lead
    and then renews the request, so a run that held requests while waiting for leads would deadlock with it.
    """
    order = "-requested_at" if newest_first else "requested_at"
    tickets = dict(ScoreRequest.objects.order_by(order).values_list("lead_id", "ticket")[:limit])
    ids = set(tickets)
    if len(ids) < limit:
        unscored = Lead.objects.filter(scored_at__isnull=True).order_by("pk").values_list("pk", flat=True)
        ids.update(unscored[: limit - len(ids)])
    if not ids:
        return ScoredBatch([], {})
    # Two runs over overlapping leads lock them in one order: the second waits, then scores them again.
    list(Lead.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True).values_list("pk"))
    ruleset = Ruleset.load()
    rescore_batch(
        Lead.objects.filter(pk__in=ids), ruleset=ruleset, now=now or timezone.now(), last_event_at=newest_event_at()
    )
    ready = set(leads_ready_for_handover(ruleset.threshold).filter(pk__in=ids).values_list("pk", flat=True))
    _delete_requests([(lead_id, ticket) for lead_id, ticket in tickets.items() if lead_id not in ready])
    return ScoredBatch(sorted(ids), {lead_id: tickets.get(lead_id) for lead_id in sorted(ready)})


def _delete_requests(tickets: list[tuple[int, int]]) -> None:
    """Delete the score requests whose (lead, ticket) pairs are given, CHUNK pairs per statement.

    The rows are locked first in lead order, the order in which writers renew requests, so that a
    delete and an event batch never wait for each other in a circle."""
    table = ScoreRequest._meta.db_table
    leads = sorted(lead_id for lead_id, _ in tickets)
    list(ScoreRequest.objects.filter(lead_id__in=leads).order_by("lead_id").select_for_update().values_list("pk"))
    with connection.cursor() as cursor:
        for start in range(0, len(tickets), CHUNK):
            chunk = tickets[start : start + CHUNK]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {table} WHERE (lead_id, ticket) IN (VALUES {values})",  # noqa: S608 - no user input
                [value for pair in chunk for value in pair],
            )
