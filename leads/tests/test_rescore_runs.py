"""A full rescore as a run: its row records progress and outcome, and a run already done is not run again."""

import pytest

from leads.models import LifecycleStage, RescoreRun, ScoringSettings
from leads.scoring.runs import run_rescore
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_rescore_run_records_the_leads_scored_and_the_new_mqls():
    ScoringSettings.objects.update(mql_threshold=10)
    ready = LeadFactory(job_title="VP Marketing", stage=LifecycleStage.LEAD, company_size="1001-5000")
    LeadFactory(job_title="Intern", stage=LifecycleStage.CUSTOMER)
    run = RescoreRun.objects.create()

    count, qualified = run_rescore(run_id=run.pk)

    run.refresh_from_db()
    assert (count, run.status, run.processed, run.total) == (2, RescoreRun.Status.DONE, 2, 2)
    assert qualified == [ready.pk] and run.new_mqls == 1
    assert run.started_at and run.finished_at


def test_a_run_already_done_is_not_run_again():
    LeadFactory()
    run = RescoreRun.objects.create(status=RescoreRun.Status.DONE)
    assert run_rescore(run_id=run.pk) == (0, [])
    run.refresh_from_db()
    assert run.processed == 0


def test_a_run_without_a_row_records_one():
    LeadFactory()
    count, _ = run_rescore()
    assert count == 1
    assert RescoreRun.objects.get().status == RescoreRun.Status.DONE
