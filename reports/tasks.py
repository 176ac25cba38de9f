"""Celery tasks of the reports app."""

from celery import shared_task

from leads.tasks import RETRY
from reports import rollups


@shared_task(name="reports.refresh_rollups", **RETRY)
def refresh_rollups(everything: bool = False) -> int:
    """Recompute the cohort rollups of the days that changed (every day with `everything`). Safe to run
    twice or concurrently: each run takes the stale marks it can see, and a day is rebuilt whole."""
    return rollups.refresh(everything=everything)
