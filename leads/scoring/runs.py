"""The full rescore: every lead scored again, set-based, after a change of the rules and nightly as decay
moves scores. Each is a `RescoreRun` row, whose progress the scoring page polls."""

from django.db import transaction
from django.utils import timezone

from leads.models import RescoreRun
from leads.scoring.rescore import leads_ready_for_handover, rescore_leads


@transaction.atomic
def save_scoring_rules(*, forms, by) -> RescoreRun:
    """Save the scoring page's validated forms (settings, fit rules, engagement points) and rescore every
    lead with the new rules once they commit."""
    for form in forms:
        form.save()
    return start_rescore(by=by)


def start_rescore(*, by=None) -> RescoreRun:
    """Record a rescore run and queue it once the current transaction commits."""
    from leads.tasks import enqueue, rescore_leads  # tasks import this module

    run = RescoreRun.objects.create(requested_by=by)
    enqueue(rescore_leads, run.pk)
    return run


def run_rescore(*, run_id: int | None = None) -> tuple[int, list[int]]:
    """Rescore the whole base for run `run_id` (a new run without one), recording its progress and outcome
    on the run's row; returns how many leads were scored and the ids of those that now qualify for a
    hand-over. A run already done is not run again: (0, [])."""
    run = RescoreRun.objects.filter(pk=run_id).first() if run_id else RescoreRun.objects.create()
    if run is None or run.status == RescoreRun.Status.DONE:
        return 0, []
    runs = RescoreRun.objects.filter(pk=run.pk)
    runs.update(status=RescoreRun.Status.RUNNING, started_at=timezone.now())
    try:
        count = rescore_leads(on_progress=lambda processed, total: runs.update(processed=processed, total=total))
    except Exception:
        runs.update(status=RescoreRun.Status.FAILED)
        raise
    ready = list(leads_ready_for_handover().order_by("pk").values_list("pk", flat=True))
    runs.update(
        status=RescoreRun.Status.DONE, processed=count, total=count, new_mqls=len(ready), finished_at=timezone.now()
    )
    return count, ready
