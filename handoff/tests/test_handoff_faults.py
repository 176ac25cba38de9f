"""Faults on the path production uses, `score_stale_leads` (rung by the doorbell, sent by beat), with a real
worker on PostgreSQL: the worker killed, or its database connections cut, at random points of a batch of
qualifying leads. Every lead is then handed over exactly once within two minutes, recovered by what
production relies on (the redelivery of an unacknowledged task, the task's retry, beat's sweep), never by
the test calling a service.

Each round is a batch of fresh leads. The environment makes a longer run: FAULT_KILL_ROUNDS (2) and
FAULT_KILLS (kills per round, 1), FAULT_CUT_ROUNDS (1) and FAULT_CUTS (cuts per round, 3), FAULT_LEADS (leads
per round, 200); FAULT_SEED replays a run's fault points (every round prints its seed and figures).
"""

import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest
import redis
from django.db import connection
from django.utils import timezone

from conftest import require_postgres, start_worker
from crm.models import Notification
from deals.models import Deal
from handoff.models import Handoff, HandoffFailure
from leads.models import EventKind, Lead, LeadEvent, LifecycleStage, ScoreRequest, ScoringSettings
from leads.scoring.queue import request_scores
from leads.scoring.rescore import leads_ready_for_handover

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

KILL_ROUNDS = int(os.environ.get("FAULT_KILL_ROUNDS", "2"))
KILLS = int(os.environ.get("FAULT_KILLS", "1"))
CUT_ROUNDS = int(os.environ.get("FAULT_CUT_ROUNDS", "1"))
CUTS = int(os.environ.get("FAULT_CUTS", "3"))
LEADS = int(os.environ.get("FAULT_LEADS", "200"))
SEED = os.environ.get("FAULT_SEED") or str(random.SystemRandom().randrange(1_000_000))
RECOVERY_SECONDS = 120
# Production's recovery, made quick: beat's sweep every 2 s, and a dead worker's unacknowledged task back in
# the queue after 5 s (an hour by default).
QUICK_RECOVERY = {"SCORING_SWEEP_SECONDS": "2", "CELERY_VISIBILITY_TIMEOUT": "5"}


def time_limit(rounds: int) -> pytest.MarkDecorator:
    """pytest.ini's 300 s per test, or more for a longer run: 150 s per round of 200 leads."""
    return pytest.mark.timeout(max(300, int(150 * rounds * max(1.0, LEADS / 200))))


@pytest.fixture
def reps(db):
    """Two reps to hand leads to, and a manager, who would hear of any hand-over that failed."""
    from crm.tests.factories import UserFactory

    UserFactory(role="Manager", username="fault-manager")
    return [UserFactory(role="Sales rep", username=f"fault-rep{n}") for n in range(2)]


@pytest.fixture
def workers():
    """Every worker a test starts, stopped before the database is flushed (a killed one is only reaped)."""
    started = []
    yield started
    for worker in started:
        worker.stop()


def start(workers, broker_url: str, name: str):
    """A worker with beat embedded, as production runs it, recovering quickly (QUICK_RECOVERY)."""
    worker = start_worker(broker_url, name, f".celery-{name}.log", QUICK_RECOVERY, beat=True)
    workers.append(worker)
    return worker


def queue_qualifying_leads(tag: str, count: int) -> list[int]:
    """`count` leads that qualify when scored ("VP" in the title, 15, and two demo requests, 2 × 25), stored as
    scored yesterday at 0 points (not "never scored"), then queued for a score as their events would queue
    them: `request_scores` rings the doorbell on commit, and the worker's beat sweeps every 2 s."""
    yesterday = timezone.now() - timedelta(days=1)
    leads = Lead.objects.bulk_create(
        Lead(
            email=f"{tag}-{n}@example.com",
            first_name="Vera",
            last_name=f"{tag} {n}",
            company=f"Company {n}",
            job_title="VP Sales",
            stage=LifecycleStage.LEAD,
            lead_at=yesterday,
            scored_at=yesterday,
        )
        for n in range(count)
    )
    now = timezone.now()
    LeadEvent.objects.bulk_create(
        LeadEvent(lead=lead, kind=EventKind.DEMO_REQUEST, occurred_at=now) for lead in leads for _ in range(2)
    )
    ids = [lead.pk for lead in leads]
    assert not leads_ready_for_handover().filter(pk__in=ids).exists()  # only scoring makes them qualify
    request_scores(ids)
    return ids


def handed_over(ids: list[int]) -> int:
    return Handoff.objects.filter(lead_id__gte=min(ids), lead_id__lte=max(ids)).count()


def qualified(ids: list[int]) -> int:
    threshold = ScoringSettings.load().mql_threshold
    return Lead.objects.filter(pk__gte=min(ids), pk__lte=max(ids), score__gte=threshold).count()


def fault_points(rng: random.Random, count: int) -> list[int]:
    """`count` distinct points of a batch, in order: -1 (a random instant of its first second: before, while or
    just after it is scored), 0 (as soon as scores are committed, before the first hand-over: the moment of the
    issue), or n hand-overs committed. One draw in four is -1 or 0, which draws over the hand-overs would
    almost never pick."""
    points = set()
    while len(points) < min(count, LEADS + 1):
        points.add(rng.choice((-1, 0)) if rng.random() < 0.25 else rng.randrange(1, LEADS))
    return sorted(points)


def wait_for_point(ids: list[int], point: int, rng: random.Random, deadline: float) -> str:
    """Wait for `point` of the batch (see `fault_points`), or `deadline` (a batch that stopped), then a random
    instant more (inside a hand-over, between two). Returns where the batch stood then."""
    if point < 0:
        time.sleep(rng.uniform(0, 1.0))
    else:
        while not (qualified(ids) and handed_over(ids) >= point) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
    return f"{qualified(ids)} scored qualified, {handed_over(ids)} handed over"


def cut_database_connections() -> int:
    """Terminate every client backend of the test database but this test's own (the worker's), as a failover
    or a network cut does; returns how many were cut."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def wait_for_recovery(ids: list[int], since: float) -> float | None:
    """Seconds from `since` until every lead of the batch has its hand-over and no score request is left;
    None when that did not happen within RECOVERY_SECONDS."""
    while time.monotonic() < since + RECOVERY_SECONDS:
        if handed_over(ids) >= len(ids) and not ScoreRequest.objects.filter(lead_id__in=ids).exists():
            return time.monotonic() - since
        time.sleep(0.2)
    return None


def settle(worker, broker: redis.Redis, dead_tags: list[bytes], where: str) -> None:
    """Wait until the dead worker's unacknowledged messages were redelivered and run, and the worker is idle, so
    that a second hand-over, if any, lands before the count."""
    deadline = time.monotonic() + 60
    while any(broker.hexists("unacked", tag) for tag in dead_tags):
        if time.monotonic() > deadline:
            pytest.fail(f"{where}: the dead worker's tasks were not redelivered within 60 s")
        time.sleep(0.2)
    worker.wait_until_idle(timeout=60)


@dataclass
class Tally:
    qualified: int
    handed_over: int
    doubled: int
    lost: int
    requests_left: int
    failures_left: int
    failures_reported: int


def tally(ids: list[int]) -> Tally:
    """What a user would count: the batch's leads that qualified, got one hand-over waiting in an inbox (and no
    deal: only an accept makes one), got two."""
    handoffs = Counter(
        Handoff.objects.filter(lead_id__in=ids, outcome=Handoff.Outcome.PENDING).values_list("lead_id", flat=True)
    )
    all_handoffs = Counter(Handoff.objects.filter(lead_id__in=ids).values_list("lead_id", flat=True))
    deals = Counter(Deal.objects.filter(lead_id__in=ids).values_list("lead_id", flat=True))
    return Tally(
        qualified=qualified(ids),
        handed_over=sum(1 for lead_id in ids if handoffs[lead_id] == 1 and not deals[lead_id]),
        doubled=sum(1 for lead_id in ids if all_handoffs[lead_id] > 1 or deals[lead_id]),
        lost=sum(1 for lead_id in ids if not all_handoffs[lead_id]),
        requests_left=ScoreRequest.objects.filter(lead_id__in=ids).count(),
        failures_left=HandoffFailure.objects.filter(lead_id__in=ids).count(),
        # A lost worker or connection is not the lead's failure: managers must not hear of one.
        failures_reported=Notification.objects.filter(user__username="fault-manager").count(),
    )


def report_and_check(report_round, label: str, ids: list[int], recovered: float | None) -> None:
    """Print the round's figures (with -s, and on failure), keep them for the run's summary, and check them."""
    figures = tally(ids)
    line = (
        f"{label}: qualified {figures.qualified}, handed over {figures.handed_over}, doubled {figures.doubled},"
        f" lost {figures.lost}, "
        + (f"recovered in {recovered:.1f} s" if recovered is not None else f"NOT recovered in {RECOVERY_SECONDS} s")
    )
    print(line, flush=True)  # noqa: T201 - the round's figures and seed
    report_round(line)
    assert figures.qualified == len(ids), line
    assert figures.doubled == 0, line
    assert figures.lost == 0, line
    assert figures.handed_over == len(ids), line
    assert figures.requests_left == 0, f"{line}; score requests left: {figures.requests_left}"
    assert figures.failures_left == 0, f"{line}; hand-over failures left: {figures.failures_left}"
    assert figures.failures_reported == 0, f"{line}; failures reported to managers: {figures.failures_reported}"
    assert recovered is not None, line


def kill(worker, broker: redis.Redis) -> list[bytes]:
    """SIGKILL to the worker's whole process group (main process, pool, embedded beat), as when its host is
    lost; returns the delivery tags of the messages it held unacknowledged."""
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    worker.stop()
    # Had it been restoring messages at that instant, its lock would hold back every redelivery for the
    # lock's 5 minutes: a wait of no use to the test.
    broker.delete("unacked_mutex")
    return broker.hkeys("unacked")


@time_limit(KILL_ROUNDS)
def test_a_worker_killed_at_random_points_of_a_scoring_batch_hands_every_lead_over_once_after_a_restart(
    private_redis, broker_at, reps, workers, report_round
):
    """The worker is killed at KILLS random points of each batch, and each time a new one started: it gets the
    dead worker's tasks back after the visibility timeout, its beat sweeps, and it is the next victim."""
    require_postgres()
    broker_at(private_redis.url)
    broker = redis.Redis.from_url(private_redis.url)
    started = 0
    worker = start(workers, private_redis.url, f"fault-kill-{started}")
    for number in range(KILL_ROUNDS):
        rng = random.Random(f"{SEED}-kill-{number}")
        ids = queue_qualifying_leads(f"kill{number}", LEADS)
        deadline = time.monotonic() + RECOVERY_SECONDS
        kills, dead_tags = [], set()
        for point in fault_points(rng, KILLS):
            kills.append(wait_for_point(ids, point, rng, deadline))
            dead_tags.update(kill(worker, broker))
            killed = time.monotonic()
            started += 1
            worker = start(workers, private_redis.url, f"fault-kill-{started}")
        recovered = wait_for_recovery(ids, since=killed)
        label = f"kill round {number + 1}/{KILL_ROUNDS} (FAULT_SEED={SEED}; killed with {'; '.join(kills)})"
        if recovered is not None:
            settle(worker, broker, list(dead_tags), label)
        report_and_check(report_round, label, ids, recovered)


@time_limit(CUT_ROUNDS)
def test_database_connections_cut_at_random_points_of_a_scoring_batch_hand_every_lead_over_once(
    private_redis, broker_at, reps, workers, report_round
):
    """pg_terminate_backend on the worker's sessions at CUTS random points of each batch: the running tasks fail
    with a database error and are retried (leads.tasks.RETRY), beat's sweep goes on; the worker lives on."""
    require_postgres()
    broker_at(private_redis.url)
    broker = redis.Redis.from_url(private_redis.url)
    worker = start(workers, private_redis.url, "fault-cut")
    for number in range(CUT_ROUNDS):
        rng = random.Random(f"{SEED}-cut-{number}")
        ids = queue_qualifying_leads(f"cut{number}", LEADS)
        deadline = time.monotonic() + RECOVERY_SECONDS
        cuts = []
        for point in fault_points(rng, CUTS):
            at = wait_for_point(ids, point, rng, deadline)
            cuts.append(f"cut {cut_database_connections()} of its sessions with {at}")
        recovered = wait_for_recovery(ids, since=time.monotonic())
        label = f"cut round {number + 1}/{CUT_ROUNDS} (FAULT_SEED={SEED}; {'; '.join(cuts)})"
        if recovered is not None:
            settle(worker, broker, [], label)
        report_and_check(report_round, label, ids, recovered)
