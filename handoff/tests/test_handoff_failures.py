"""One bad lead never blocks the others' hand-over, and a crash between scoring and hand-over loses nothing:
each lead is handed over in its own transaction, a failure is recorded for managers and retried with
backoff, and a score request is consumed only with the work it asked for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import Notification
from crm.people import display_name
from crm.tests.factories import UserFactory
from handoff import services as handoff
from handoff.models import Handoff, HandoffFailure
from handoff.tasks import hand_over_ready_leads
from leads.models import Lead, LifecycleStage, ScoreRequest, ScoringSettings
from leads.scoring import queue
from leads.scoring.queue import request_scores
from leads.tasks import score_stale_leads
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

VP = "VP Marketing"  # with the default rules, two demo requests from a VP qualify: 15 + 2 × 25 ≥ 50


@pytest.fixture
def rep(db):
    return UserFactory(role="Sales rep", username="rita")


class Breakage:
    """The leads whose hand-over raises, as a bad record's would; the others go through."""

    def __init__(self):
        self.leads = set()

    def __call__(self, lead):
        self.leads.add(lead.pk)

    def mend(self):
        self.leads.clear()


@pytest.fixture
def breaks_for(monkeypatch):
    """`breaks_for(lead)`: the hand-over of `lead` raises until `breaks_for.mend()`."""
    breakage = Breakage()
    real = handoff.change_stage

    def change_stage(*, lead, **kwargs):
        if lead.pk in breakage.leads:
            raise ValueError(f"cannot hand over lead {lead.pk}")
        return real(lead=lead, **kwargs)

    monkeypatch.setattr(handoff, "change_stage", change_stage)
    return breakage


def sweep():
    """What beat sends every SCORING_SWEEP_SECONDS: the scoring sweep, and the hand-over's catch-up."""
    score_stale_leads()
    hand_over_ready_leads()


def qualified(count=1, **fields):
    """Leads queued for scoring whose score will reach the threshold."""
    leads = LeadFactory.create_batch(count, job_title=VP, **fields)
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(scored_at=timezone.now())
    for lead in leads:
        lead.events.create(kind="demo_request")
        lead.events.create(kind="demo_request")
    request_scores([lead.pk for lead in leads])
    return leads


def handoffs_of(leads):
    return {lead.pk: Handoff.objects.filter(lead=lead).count() for lead in leads}


def test_one_failing_hand_over_neither_stops_nor_undoes_the_others_scored_with_it(rep, manager, breaks_for):
    leads = qualified(3)
    breaks_for(leads[1])
    score_stale_leads()
    assert handoffs_of(leads) == {leads[0].pk: 1, leads[1].pk: 0, leads[2].pk: 1}
    failure = HandoffFailure.objects.get()
    assert failure.lead_id == leads[1].pk
    assert failure.error == f"ValueError: cannot hand over lead {leads[1].pk}"
    assert Lead.objects.get(pk=leads[1].pk).stage == LifecycleStage.LEAD  # its transaction was rolled back
    assert not ScoreRequest.objects.exists()  # the failure consumed its request: the queue does not loop on it
    assert Notification.objects.filter(user=manager, message__contains="failed").count() == 1


def test_the_nightly_fallback_goes_past_a_failing_lead(rep, breaks_for):
    leads = LeadFactory.create_batch(3, score=ScoringSettings.load().mql_threshold)
    breaks_for(leads[0])
    assert hand_over_ready_leads() == 2
    assert handoffs_of(leads) == {leads[0].pk: 0, leads[1].pk: 1, leads[2].pk: 1}
    assert HandoffFailure.objects.get().lead_id == leads[0].pk


def test_a_failure_is_retried_with_growing_waits_and_cleared_when_the_hand_over_goes_through(rep, breaks_for):
    lead = LeadFactory(score=ScoringSettings.load().mql_threshold)
    breaks_for(lead)
    start = timezone.now()
    handoff.record_failure(lead_id=lead.pk, error=ValueError("first"), now=start)
    handoff.record_failure(lead_id=lead.pk, error=ValueError("second"), now=start + timedelta(minutes=1))
    failure = HandoffFailure.objects.get()
    assert (failure.attempts, failure.error) == (2, "ValueError: second")
    assert failure.next_attempt_at == start + timedelta(minutes=3)  # failed at +1 min, waits 2 min
    assert list(handoff.leads_to_catch_up(now=start + timedelta(minutes=2))) == []  # not due yet
    assert list(handoff.leads_to_catch_up(now=start + timedelta(minutes=3))) == [lead]
    for _ in range(3, 12):
        handoff.record_failure(lead_id=lead.pk, error=ValueError("again"), now=start)
    assert HandoffFailure.objects.get().next_attempt_at == start + timedelta(hours=1)  # the wait stops growing

    handoff.catch_up(now=start + timedelta(hours=2))  # due, and still broken: recorded once more
    assert HandoffFailure.objects.get().attempts == 12

    breaks_for.mend()
    handoff.catch_up(now=start + timedelta(hours=3))
    assert not HandoffFailure.objects.exists()
    assert Handoff.objects.filter(lead=lead).count() == 1


def test_a_recorded_failure_is_cleared_by_the_hand_over_that_goes_through(rep):
    lead = LeadFactory(score=ScoringSettings.load().mql_threshold)
    handoff.record_failure(lead_id=lead.pk, error=RuntimeError("SMTP down"), now=timezone.now() - timedelta(hours=1))
    run = handoff.catch_up()
    assert (run.handed_over, run.failed) == (1, [])
    assert not HandoffFailure.objects.exists()
    assert Lead.objects.get(pk=lead.pk).stage == LifecycleStage.MQL


def test_without_an_active_rep_the_lead_waits_as_a_failure_and_goes_through_once_there_is_one(manager):
    (lead,) = qualified()
    score_stale_leads()
    assert "no active sales rep" in HandoffFailure.objects.get(lead=lead).error
    assert not ScoreRequest.objects.exists()
    UserFactory(role="Sales rep")
    HandoffFailure.objects.update(next_attempt_at=timezone.now())
    sweep()
    assert handoffs_of([lead]) == {lead.pk: 1}
    assert not HandoffFailure.objects.exists()


# --- A crash between scoring and hand-over ------------------------------------------------------------


def test_a_worker_dying_after_scoring_leaves_the_request_for_the_next_run(rep):
    """What a SIGKILL between the scoring transaction and the hand-overs leaves behind: the scores are
    committed, and the qualified leads' requests are still queued, so the next run hands them over."""
    leads = qualified(3)
    batch = queue.score_requested(limit=100)  # the run's first step commits; then the worker dies
    assert sorted(batch.ready) == sorted(lead.pk for lead in leads)
    assert sorted(ScoreRequest.objects.values_list("lead_id", flat=True)) == sorted(batch.ready)
    score_stale_leads()  # the next ring, beat or redelivery
    assert handoffs_of(leads) == dict.fromkeys([lead.pk for lead in leads], 1)
    assert not ScoreRequest.objects.exists()


def test_the_beat_sweep_hands_over_qualified_leads_that_lost_their_request(rep):
    """A lead that qualifies with no request left (a rescore raised its score, then the worker died) is
    found by the every-minute sweep, not only by the nightly rescore."""
    leads = LeadFactory.create_batch(2, score=ScoringSettings.load().mql_threshold, scored_at=timezone.now())
    score_stale_leads()  # a ring: only what is queued
    assert handoffs_of(leads) == dict.fromkeys([lead.pk for lead in leads], 0)
    sweep()
    assert handoffs_of(leads) == dict.fromkeys([lead.pk for lead in leads], 1)


def test_a_request_renewed_while_the_hand_over_ran_stays_queued(rep):
    (lead,) = qualified()
    batch = queue.score_requested(limit=10)
    request_scores([lead.pk])  # a new event after the run read the queue
    handoff.hand_over_each(batch.ready)
    assert handoffs_of([lead]) == {lead.pk: 1}
    assert list(ScoreRequest.objects.values_list("lead_id", flat=True)) == [lead.pk]


def test_running_every_path_twice_hands_a_lead_over_once(rep):
    leads = qualified(4)
    batch = queue.score_requested(limit=10)
    handoff.hand_over_each(batch.ready)
    handoff.hand_over_each(batch.ready)
    sweep()
    hand_over_ready_leads()
    assert handoffs_of(leads) == dict.fromkeys([lead.pk for lead in leads], 1)


# --- What managers see ----------------------------------------------------------------------------------


def test_managers_see_the_failed_hand_overs_with_their_error_and_retry_one(client_for, manager, rep, breaks_for):
    lead = LeadFactory(score=ScoringSettings.load().mql_threshold, first_name="Bo", last_name="Broken")
    breaks_for(lead)
    handoff.catch_up()
    client = client_for(manager)
    page = client.get("/handoffs/failed/").content.decode()
    assert "Bo Broken" in page and f"cannot hand over lead {lead.pk}" in page
    assert "1 qualified lead could not be handed over" in client.get("/inbox/").content.decode()

    refused = client.post(f"/handoffs/failed/{lead.pk}/retry/", follow=True).content.decode()
    assert "The hand-over failed again" in refused
    assert HandoffFailure.objects.get().attempts == 2

    breaks_for.mend()
    done = client.post(f"/handoffs/failed/{lead.pk}/retry/", follow=True).content.decode()
    assert f"Bo Broken was handed over to {display_name(rep)}." in done
    assert not HandoffFailure.objects.exists()
    assert "No hand-over has failed." in client.get("/handoffs/failed/").content.decode()
