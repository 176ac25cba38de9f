"""Celery tasks of the reports app."""

from celery import shared_task

from leads.tasks import EMAIL_RETRY, RETRY
from reports import digest, rollups, services
from reports.accounts import rollups as account_rollups


@shared_task(name="reports.refresh_rollups", **RETRY)
def refresh_rollups(everything: bool = False) -> int:
    """Recompute the cohort rollups of the days that changed (every day with `everything`). Safe to run
    twice or concurrently: each run takes the stale marks it can see, and a day is rebuilt whole."""
    return rollups.refresh(everything=everything)


# Each run refreshes at most this many batches of flagged companies (2,000 each; see bench/README.md for the
# time a batch takes); what is left waits for the next run, a minute later.
ACCOUNT_BATCHES_PER_RUN = 30


@shared_task(name="reports.refresh_account_rollups", **RETRY)
def refresh_account_rollups(everything: bool = False) -> int:
    """Beat, every minute: recompute the roll-ups of the companies flagged `rollups_due` (every company with
    `everything`, as after a change of the fit rules); returns how many. Safe to run twice or concurrently:
    a company's roll-ups are computed whole from its people and deals, and its flag stays set until then."""
    if everything:
        return account_rollups.refresh_all()
    return account_rollups.refresh_due(batches=ACCOUNT_BATCHES_PER_RUN)


@shared_task(name="reports.send_agreement_digest", **EMAIL_RETRY)
def send_agreement_digest() -> bool:
    """Beat, Monday morning: this week's digest of the agreement to managers and marketers, once per week
    however often beat runs it (reports.digest)."""
    return digest.send_weekly_digest()


@shared_task(name="reports.snapshot_forecast", **RETRY)
def snapshot_forecast() -> int:
    """Beat, every morning: the week's forecast snapshot, taken on the first run of the week (Monday's, or the
    next day's when Monday's was missed); later runs find it and do nothing."""
    return services.snapshot_forecast()
