"""The full rescore: every lead scored again, set-based, after a change of the rules and nightly as decay
moves scores. Each is a `RescoreRun` row, whose progress the scoring page polls."""

from django.db import transaction
from django.utils import timezone

from companies.services import mark_all_rollups_due
from leads.models import RescoreRun
from leads.scoring.rescore import leads_ready_for_handover, rescore_leads
from leads.services import stalled

NOT_REACHED = "Leads it did not reach keep their previous score; saving the scoring rules starts another rescore."


@transaction.atomic
def save_scoring_rules(*, forms, by, account_forms=()) -> RescoreRun:
    """Save the scoring page's validated forms (settings, fit rules, engagement points) and rescore every
    lead with the new rules once they commit. `account_forms` (account settings, company fit rules) change
    no lead's score: when they changed, every company's roll-ups are marked due (the beat refreshes them)."""
    for form in forms:
        form.save()
    if any(form.has_changed() for form in account_forms):
        for form in account_forms:
            form.save()
        mark_all_rollups_due()
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
    hand-over. A run already done, or given up (`resume_stalled_rescores`), is not run again: (0, []).

    Safe to run again: a run whose worker died starts over from the first lead when its task comes back (a
    score is computed from the rules and the events, never from the previous score), and one sent again
    beside a run still going writes the same scores.
    """
    run = RescoreRun.objects.filter(pk=run_id).first() if run_id else RescoreRun.objects.create()
    if run is None or run.status == RescoreRun.Status.DONE:
        return 0, []
    runs = RescoreRun.objects.filter(pk=run.pk)
    started = stalled.start(
        runs.exclude(status=RescoreRun.Status.DONE),
        status=RescoreRun.Status.RUNNING,
        started_at=timezone.now(),
        processed=0,
        error="",
        finished_at=None,
    )
    if not started:
        return 0, []
    try:
        count = rescore_leads(
            on_progress=lambda processed, total: runs.update(processed=processed, total=total, **stalled.moved())
        )
    except Exception as exc:
        error = f"The rescore stopped on an unexpected error ({exc.__class__.__name__}). {NOT_REACHED}"
        runs.update(status=RescoreRun.Status.FAILED, error=error, finished_at=timezone.now(), **stalled.ended())
        raise
    ready = list(leads_ready_for_handover().order_by("pk").values_list("pk", flat=True))
    runs.update(
        status=RescoreRun.Status.DONE, processed=count, total=count, new_mqls=len(ready), finished_at=timezone.now()
    )
    return count, ready


def resume_stalled_rescores() -> tuple[int, int]:
    """Send again each pending or running rescore that has not moved for STALLED_WORK_MINUTES (its worker
    died, or its message was lost), or mark it failed, with its reason for the scoring page, when its runs
    kept dying before scoring another batch; returns (sent again, given up)."""
    from leads import tasks  # tasks import this module

    unfinished = RescoreRun.objects.filter(status__in=[RescoreRun.Status.PENDING, RescoreRun.Status.RUNNING])
    error = f"The rescore stopped {stalled.MAX_STARTS} times: its worker was stopped each time. {NOT_REACHED}"
    return stalled.resume_stalled(
        unfinished,
        send=lambda pk: tasks.enqueue_now(tasks.rescore_leads, pk),
        give_up={"status": RescoreRun.Status.FAILED, "error": error, "finished_at": timezone.now()},
    )
