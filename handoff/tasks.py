"""Celery tasks of the hand-over: thin wrappers over `handoff.services`, taking ids, safe to run twice."""

from celery import shared_task

from handoff import services
from leads.tasks import RETRY

# Qualified leads the beat sweep hands over per run.
CATCH_UP_BATCH = 500


@shared_task(name="handoff.hand_over_ready_leads", **RETRY)
def hand_over_ready_leads(limit: int = CATCH_UP_BATCH) -> int:
    """Beat, every SCORING_SWEEP_SECONDS: hand over every qualified lead that nothing is handing over (a
    worker that died between scoring and hand-over, a failed hand-over due again), each in its own
    transaction; a failure is recorded and the others go on."""
    return services.catch_up(limit=limit).handed_over


@shared_task(name="handoff.reassign_overdue_mqls", **RETRY)
def reassign_overdue_mqls() -> int:
    """Beat: every few minutes, reassign MQLs whose SLA ran out (once each) and alert the managers."""
    return services.reassign_overdue_mqls()
