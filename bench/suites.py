"""What the benchmark measures, one function per area; each yields Measurements with their targets."""

import os
from functools import partial

from django.db import connection
from django.utils import timezone

from bench.board import board_pages
from bench.measure import Measurement, alternating, once, repeat
from leads.models import EngagementRule, Lead, ScoringSettings
from leads.scoring.rescore import rescore_leads
from reports import rollups
from reports.models import StaleDay


def scoring(*, runs, stdout):
    """rescore_leads on the whole base, and one raw SQL statement computing the same decayed sums."""
    now = timezone.now()
    relay, scored = once("rescore_leads (whole base)", lambda: rescore_leads(now=now))
    relay.extra = {"leads": scored, "leads_per_s": round(scored / max(relay.median_ms / 1000, 1e-9))}
    yield relay
    baseline, _ = once("rescore baseline (one raw SQL UPDATE)", lambda: raw_sql_rescore(now))
    yield baseline
    ratio = relay.median_ms / baseline.median_ms if baseline.median_ms else None
    yield Measurement(
        name="rescore: Relay / baseline",
        extra={"ratio": round(ratio, 2) if ratio else None},
        target="≤ 3×",
        ok=ratio is not None and ratio <= 3,
    )
    if connection.vendor == "postgresql":
        # Both rescorings rewrote every lead. In production the nightly rescore is followed by autovacuum,
        # which frees the dead rows and sets the visibility map that index-only scans (the funnel's medians)
        # rely on; the pages are measured in that state, and this step stands for it.
        def vacuum():
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Lead._meta.db_table}")

        yield once("VACUUM ANALYZE of the leads (autovacuum's job)", vacuum)[0]


def raw_sql_rescore(now) -> int:
    """The baseline: a single UPDATE ... FROM (SELECT lead, SUM(points × 0.5^(age/half-life)) GROUP BY lead)."""
    half_life = float(ScoringSettings.load().half_life_days)
    lead, event, rule = Lead._meta.db_table, "leads_leadevent", EngagementRule._meta.db_table
    if connection.vendor == "postgresql":
        age = "GREATEST(CAST(EXTRACT(EPOCH FROM (%s::timestamptz - e.occurred_at)) AS double precision) / 86400.0, 0)"
    else:
        age = "MAX(julianday(%s) - julianday(e.occurred_at), 0.0)"
    sql = f"""
        UPDATE {lead} SET
            engagement_score = s.total,
            score = CAST(FLOOR({lead}.fit_score + s.total + 0.5) AS INTEGER),
            scored_at = %s
        FROM (
            SELECT e.lead_id AS lead_id, SUM(r.points * POWER(CAST(0.5 AS double precision), {age} / %s)) AS total
            FROM {event} e JOIN {rule} r ON r.kind = e.kind AND r.points <> 0
            GROUP BY e.lead_id
        ) AS s
        WHERE s.lead_id = {lead}.id
    """  # noqa: S608 - table names come from the models, values are parameters
    stamp = now if connection.vendor == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, stamp, half_life])
        return cursor.rowcount


def pages(*, runs, stdout):
    """Server time of the main pages through Django's test client (no network), with query counts."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from handoff.models import Handoff

    User = get_user_model()
    manager, rep = User.objects.get(username="bench_manager"), User.objects.get(username="bench_rep1")
    lead = Lead.objects.get(pk=Handoff.objects.order_by("pk").values_list("lead", flat=True).first())
    as_manager, as_rep = Client(), Client()
    as_manager.force_login(manager)
    as_rep.force_login(rep)
    checks = [
        ("page: lead list, first page", as_manager, "/leads/", PAGE),
        ("page: lead list, stage + owner filter", as_manager, f"/leads/?stage=sql&owner={rep.pk}", PAGE),
        ("page: lead list, sorted by score", as_manager, "/leads/?sort=-score", PAGE),
        ("page: lead list, search (name/email/company)", as_manager, "/leads/?q=nakamura", PAGE),
        ("page: lead list, search by full name", as_manager, "/leads/?q=grace+nakamura", PAGE),
        # The count line of a list of more than 1,000 leads, fetched after the page: it reads up to 100,001
        # leads, and a search's matches (5 % of the leads) each on its own heap page.
        ("page: lead list count, all leads", as_manager, "/leads/count/", PAGE),
        ("page: lead list count, search", as_manager, "/leads/count/?q=nakamura", LIST_COUNTS),
        ("page: lead detail", as_manager, f"/leads/{lead.pk}/", PAGE),
        ("page: campaign list", as_manager, "/campaigns/", PAGE),
        ("page: pipeline board (team)", as_manager, "/pipeline/", PAGE),
        ("page: MQL inbox (rep)", as_rep, "/inbox/", PAGE),
        ("page: dashboard (manager)", as_manager, "/", PAGE),
        ("report: funnel (last 30 days)", as_manager, "/reports/funnel/", FUNNEL_REPORTS),
        ("report: campaigns (last 30 days)", as_manager, "/reports/campaigns/", FUNNEL_REPORTS),
        ("report: campaigns, activity view", as_manager, "/reports/campaigns/?view=activity", FUNNEL_REPORTS),
        ("report: sales (last 30 days)", as_manager, "/reports/sales/", PAGE),
        ("report: forecast (this quarter and the next)", as_manager, "/reports/forecast/", PAGE),
        ("report: feedback (last 30 days)", as_manager, "/reports/feedback/", PAGE),
        ("report: agreement (this month)", as_manager, "/agreement/", PAGE),
    ]
    # The checks above read clean rollups. Between two refreshes (the beat's, every minute) the day being
    # written to is stale and its leads are counted live: the rollup readers again, with today stale.
    stale_checks = [
        (f"{name} (today stale)", client, url, target)
        for name, client, url, target in checks
        if url in ("/campaigns/", "/", "/reports/funnel/", "/reports/campaigns/")
    ]
    yield from _timed_pages(checks, runs)
    StaleDay.objects.create(day=timezone.now().date())  # what the triggers write for any change today
    yield from _timed_pages(stale_checks, runs)
    rollups.refresh()


def _timed_pages(checks, runs):
    for name, client, url, (median_target, p95_target) in checks:
        response = client.get(url)
        if response.status_code != 200:
            yield Measurement(name=name, error=f"HTTP {response.status_code} for {url}", ok=False)
            continue
        measurement = repeat(name, lambda client=client, url=url: client.get(url), runs=runs)
        measurement.target = f"median < {median_target}" + (f", p95 < {p95_target}" if p95_target else "") + " ms"
        measurement.ok = measurement.median_ms < median_target and (not p95_target or measurement.p95_ms < p95_target)
        yield measurement


# Issue #8's targets (2 cores, PostgreSQL, 1M leads): every page median < 150 ms and p95 < 300 ms; the
# funnel and campaign reports median < 300 ms.
PAGE = (150, 300)
FUNNEL_REPORTS = (300, None)
# The lead list's count comes after its rows, in a request of its own (issue #20): the rows never wait for it.
LIST_COUNTS = (300, None)


def handover_latency(*, runs, stdout, samples: int = 50):
    """Event → hand-over with a real worker: POST a demo request for a lead 15 points below the threshold
    and time until it waits in a rep's inbox (its hand-over exists; the median of `samples`)."""
    import statistics
    import time

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.measure import percentile
    from crm.worker_process import WorkerProcess, database_url
    from handoff.models import Handoff

    name = "event → hand-over (real worker)"
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        yield Measurement(name=name, error="skipped: needs DATABASE_URL (PostgreSQL) and REDIS_URL")
        return
    from crm.celery import app

    app.control.purge()
    worker = WorkerProcess(
        database_url=database_url(connection.settings_dict),
        broker_url=settings.REDIS_URL,
        name="bench",
        log_path=settings.BASE_DIR / "bench" / "worker.log",
    ).start()
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_marketer"))
    timings = []
    try:
        for sample in range(samples):
            lead = Lead.objects.create(
                email=f"latency{sample}.{time.time_ns()}@bench.example",
                job_title="VP Marketing",
                company_size="1001-5000",
                industry="Software",
                country="US",
                fit_score=35,
                score=35,
                scored_at=timezone.now(),
            )
            started = time.perf_counter()
            response = client.post(
                "/api/v1/events/", {"lead": lead.pk, "kind": "demo_request"}, content_type="application/json"
            )
            if response.status_code != 201:
                raise RuntimeError(f"POST /api/v1/events/ answered {response.status_code}: {response.content[:300]}")
            while not Handoff.objects.filter(lead=lead).exists():
                if time.perf_counter() - started > 20:
                    raise RuntimeError(f"no hand-over of lead {lead.pk} after 20 s; see bench/worker.log")
                time.sleep(0.005)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        worker.stop()
    median = statistics.median(timings)
    yield Measurement(
        name=name,
        median_ms=round(median, 1),
        p95_ms=round(percentile(timings, 0.95), 1),
        runs=len(timings),
        target="median < 2000 ms",
        ok=median < 2000,
    )


def event_ingest(*, runs, stdout, seconds: float = 10):
    """`POST /api/v1/events/` through gunicorn (2 workers) under loopback load, one event per request and
    then batches of 500, each for `seconds`: requests/s, events/s, latency, errors, and whether the events
    table grew by exactly what the server said it stored."""
    import itertools
    import json
    import random

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min
    from rest_framework.authtoken.models import Token

    from bench.http_load import Gunicorn, drive
    from bench.measure import percentile
    from leads.models import EventKind, LeadEvent

    token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username="bench_marketer"))
    bounds = Lead.objects.aggregate(first=Min("pk"), last=Max("pk"))
    kinds = list(EventKind.values)
    run = timezone.now().strftime("%Y%m%d%H%M%S")
    sequence = itertools.count()  # next() on itertools.count is atomic under the GIL: unique ids across threads

    def event(rng):
        # Every event has its own external id, as integrations send them: the duplicate check runs too.
        return {
            "lead": rng.randint(bounds["first"], bounds["last"]),
            "kind": rng.choice(kinds),
            "external_id": f"bench-{run}-{next(sequence)}",
        }

    phases = [
        ("event ingest: 1 event/request (gunicorn)", 1, 8, INGEST_SINGLE),
        ("event ingest: 500 events/request (gunicorn)", 500, 4, INGEST_BATCH),
    ]
    with Gunicorn(log_path=settings.BASE_DIR / "bench" / "gunicorn.log") as server:
        for name, size, concurrency, target in [("warm-up", 1, 4, 0), *phases]:
            rngs = [random.Random(f"{name}-{thread}") for thread in range(concurrency)]

            def body_for(thread, n, size=size, rngs=rngs):
                rng = rngs[thread]
                items = event(rng) if size == 1 else [event(rng) for _ in range(size)]
                return json.dumps(items).encode(), size

            before = LeadEvent.objects.count()
            result = drive(
                port=server.port,
                path="/api/v1/events/",
                headers={"Authorization": f"Token {token.key}"},
                body_for=body_for,
                concurrency=concurrency,
                seconds=1 if name == "warm-up" else seconds,
            )
            grew = LeadEvent.objects.count() - before
            if name == "warm-up":  # the workers' first requests load the URLconf, connect to the database...
                continue
            events_per_s = result.stored / result.seconds
            latencies = result.latencies_ms or [0.0]
            ok = events_per_s >= target and result.errors == 0 and grew == result.stored == result.items_sent
            yield Measurement(
                name=name,
                median_ms=round(percentile(latencies, 0.5), 1),
                p95_ms=round(percentile(latencies, 0.95), 1),
                runs=result.requests,
                extra={
                    "requests_per_s": round(result.requests / result.seconds),
                    "events_per_s": round(events_per_s),
                    "p99_ms": round(percentile(latencies, 0.99), 1),
                    "errors": result.errors,
                    "sent": result.items_sent,
                    "accepted": result.stored,
                    "stored": grew,
                    "concurrency": concurrency,
                },
                target=f"≥ {target:,} events/s, 0 errors",
                ok=ok,
                error="; ".join(result.error_samples),
            )


def lead_import(*, runs, stdout, rows: int = 100_000):
    """The CSV import of `rows` rows (5 % repeated emails in another case, 1 % broken) into the bench
    database, run by `bench_lead_import` in a process of its own so that its peak RSS is the import's."""
    import json
    import subprocess
    import sys

    from django.conf import settings

    name = f"CSV import, {rows:,} rows"
    command = [sys.executable, "manage.py", "bench_lead_import", "--rows", str(rows), "--once", "--json"]
    finished = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode:
        yield Measurement(name=name, error=(finished.stderr.strip().splitlines() or ["failed"])[-1], ok=False)
        return
    figures = json.loads(finished.stdout.strip().splitlines()[-1])
    rows_per_s = rows / figures["seconds"]
    yield Measurement(
        name=name,
        median_ms=round(figures["seconds"] * 1000, 1),
        runs=1,
        extra={
            "rows_per_s": round(rows_per_s),
            "peak_rss_mb": figures["peak_rss_mb"],
            **{key: figures[key] for key in ("created", "merged", "failed")},
        },
        target=f"≥ {IMPORT_ROWS_PER_S:,} rows/s, < {IMPORT_PEAK_MB} MB",
        ok=rows_per_s >= IMPORT_ROWS_PER_S and figures["peak_rss_mb"] < IMPORT_PEAK_MB,
    )


IMPORT_ROWS_PER_S = 5_000
IMPORT_PEAK_MB = 300

# Issue #8's ingest targets: events per second through gunicorn, one per request and in batches of 500.
INGEST_SINGLE = 500
INGEST_BATCH = 20_000


def deal_creates(*, runs, stdout, count: int = 2_000, sample: int = 100):
    """`deals.services.create_deal` `count` times into one new column, one deal per transaction as the
    API and the hand-over make them: the median of the first `sample` creates and of the last, and their
    ratio (a new deal goes on top of its column; it should cost the same with 0 or 2,000 cards below it).
    The column and its deals are removed afterwards."""
    import statistics
    import time

    from django.contrib.auth import get_user_model
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from bench.measure import percentile
    from deals.models import Deal, Stage
    from deals.services import create_deal, ensure_default_pipeline

    rep = get_user_model().objects.get(username="bench_rep1")
    pipeline = ensure_default_pipeline()
    stage = Stage.objects.create(
        pipeline=pipeline,
        name=f"Bench column {time.time_ns()}",
        order=(pipeline.stages.aggregate(last=Max("order"))["last"] or 0) + 1,
        probability=10,
        kind=Stage.Kind.OPEN,
    )
    timings = []
    try:
        for n in range(count):
            started = time.perf_counter()
            create_deal(by=rep, stage=stage, title=f"Bench create {n}", amount=1000)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            create_deal(by=rep, stage=stage, title="Bench create, counted", amount=1000)
    finally:
        Deal.objects.filter(stage=stage).delete()
        stage.delete()
    updates = sum(query["sql"].lstrip().upper().startswith("UPDATE") for query in captured.captured_queries)
    first, last = timings[:sample], timings[-sample:]
    for name, values in ((f"deal create: first {sample} of {count:,}", first), (f"deal create: last {sample}", last)):
        yield Measurement(
            name=name,
            median_ms=round(statistics.median(values), 2),
            p95_ms=round(percentile(values, 0.95), 2),
            runs=len(values),
        )
    ratio = statistics.median(last) / statistics.median(first)
    yield Measurement(
        name="deal create: last / first",
        queries=len(captured.captured_queries),
        extra={"ratio": round(ratio, 2), "updates_per_create": updates, "cards": count},
        target=f"≤ {CREATE_RATIO}×",
        ok=ratio <= CREATE_RATIO,
    )


# Issue #20: a new deal never rewrites its column, so the 2,000th create costs what the first did.
CREATE_RATIO = 1.5


def company_pages(*, runs, stdout):
    """The company list, the page of the biggest company (the generator's 2,000 people) and the account
    funnel, each timed in turns with its baseline (`alternating`): the lead list's first page, the page of a
    company with a few people, and the funnel report. Each must meet the target of the lead list (PAGE) or of
    the funnel report (FUNNEL_REPORTS), and the company list, a fifth as many companies, must cost no more
    than the lead list; the other ratios are reported, to show how a page grows with its people and what
    counting distinct companies costs beside the funnel's daily rollups."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from companies.models import Company

    biggest = Company.objects.order_by("-people_count", "pk").first()
    several = (
        Company.objects.annotate(n=Count("people")).filter(n__gte=3, n__lte=20).order_by("pk").values("pk").first()
    )
    if biggest is None or several is None:
        yield Measurement(name="page: company page", error="skipped: no companies with people", ok=False)
        return
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_manager"))
    pairs = [
        # (what Relay serves, its baseline, the baseline's target, the ratio allowed)
        ("page: company list, first page", "/companies/", "/leads/", PAGE, COMPANY_LIST_RATIO),
        ("page: company list, sorted by open pipeline", "/companies/?sort=pipeline", "/leads/", PAGE, None),
        ("page: company list, search", "/companies/?q=harbor", "/leads/?q=nakamura", PAGE, None),
        # How the page grows with its people, for the record: the target is the lead list's.
        (
            f"page: company with {biggest.people_count:,} people",
            f"/companies/{biggest.pk}/",
            f"/companies/{several['pk']}/",
            PAGE,
            None,
        ),
        ("report: account funnel (last 30 days)", "/reports/accounts/", "/reports/funnel/", FUNNEL_REPORTS, None),
    ]
    for name, url, baseline_url, (median_target, p95_target), ratio_limit in pairs:
        status = client.get(url).status_code
        if status != 200:
            yield Measurement(name=name, error=f"HTTP {status} for {url}", ok=False)
            continue
        turns = [(name, partial(client.get, url)), (f"baseline {baseline_url}", partial(client.get, baseline_url))]
        relay, baseline = alternating(turns, runs=runs)
        ratio = relay.median_ms / baseline.median_ms if baseline.median_ms else None
        relay.extra = {"baseline_ms": baseline.median_ms, "ratio": round(ratio, 2) if ratio else None}
        relay.extra["queries"] = f"{relay.queries} vs {baseline.queries}"
        relay.target = f"median < {median_target}" + (f", p95 < {p95_target}" if p95_target else "") + " ms"
        relay.ok = relay.median_ms < median_target and (not p95_target or relay.p95_ms < p95_target)
        if ratio_limit:
            relay.target += f", ≤ {ratio_limit}× its baseline"
            relay.ok = relay.ok and ratio is not None and ratio <= ratio_limit
        yield relay


# A fifth as many companies as leads: their list costs no more than the lead list.
COMPANY_LIST_RATIO = 1.2


def lead_export(*, runs, stdout, rows: int = 100_000):
    """Every lead exported to CSV through the lead list's export (`bench_lead_export`, a process of its own
    for its peak memory), in turns with the CSV import of `rows` rows (`bench_lead_import`): export, import,
    export. The export's rows/s (the better of its two runs) against the import's, and its peak memory,
    which must not grow with the number of leads."""
    import json
    import subprocess
    import sys

    from django.conf import settings

    def run(command):
        finished = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *command, "--json"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if finished.returncode:
            raise RuntimeError((finished.stderr.strip().splitlines() or ["failed"])[-1])
        return json.loads(finished.stdout.strip().splitlines()[-1])

    try:
        first = run(["bench_lead_export"])
        imported = run(["bench_lead_import", "--rows", str(rows), "--once"])
        second = run(["bench_lead_export"])
    except RuntimeError as exc:
        yield Measurement(name="lead export (CSV)", error=str(exc), ok=False)
        return
    export = max((first, second), key=lambda figures: figures["rows_per_s"])
    import_rate = rows / imported["seconds"]
    ratio = export["rows_per_s"] / import_rate
    peak = max(first["peak_rss_mb"], second["peak_rss_mb"])
    yield Measurement(
        name=f"lead export (CSV), {export['rows']:,} leads",
        median_ms=round(export["seconds"] * 1000, 1),
        runs=2,
        extra={
            "rows_per_s": export["rows_per_s"],
            "import_rows_per_s": round(import_rate),
            "ratio": round(ratio, 2),
            "peak_rss_mb": peak,
            "file_mb": export["file_mb"],
        },
        target=f"≥ {EXPORT_IMPORT_RATIO}× the import's rows/s, < {IMPORT_PEAK_MB} MB",
        ok=ratio >= EXPORT_IMPORT_RATIO and peak < IMPORT_PEAK_MB,
    )


# Writing a row costs less than checking, merging and inserting one: the export runs at least this many times
# the import's pace, in the same bounded memory.
EXPORT_IMPORT_RATIO = 3


def search(*, runs, stdout):
    """The search box (`/search/?q=`, its drop-down and `/api/v1/search/?q=`) as a rep and a manager, for six
    realistic terms, each in turns (`alternating`) with the raw SQL of the same search: the statements
    `search_everything` sends for the term (the leads' and companies' trigram queries, the deals' and the
    campaigns'), captured once and then run as they are through a cursor. Each must serve in under 150 ms
    (PAGE's median) and within 2× of that raw SQL. Reported beside them: the leads' statement alone, the
    biggest table's, and the page asked nothing (no query of the search), what a request costs anyway."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from companies.models import Company
    from deals.models import Deal
    from search.selectors import search_everything

    User = get_user_model()
    rep, manager = User.objects.get(username="bench_rep1"), User.objects.get(username="bench_manager")
    as_rep, as_manager = Client(), Client()
    as_rep.force_login(rep)
    as_manager.force_login(manager)
    bounds = Lead.objects.aggregate(first=Min("pk"), last=Max("pk"))
    lead = Lead.objects.filter(pk__gte=(bounds["first"] + bounds["last"]) // 2).order_by("pk").first()
    company = Company.objects.filter(people_count__gte=3).order_by("pk").first()
    deal = Deal.objects.order_by("pk")[Deal.objects.count() // 2 :].first()
    if lead is None or company is None or deal is None:
        yield Measurement(name="search", error="skipped: no leads, companies or deals", ok=False)
        return
    terms = [
        ("a surname", "Nakamura"),  # one lead in 20
        ("an email fragment", lead.email.split("@")[0] + "@"),  # one lead
        ("a company domain", company.primary_domain),
        ("a deal title word", deal.title.split()[0]),  # its company's first word: one company in 40
        ("a rare term", "Zanzibar"),  # nothing has it
        ("a common term", "gmail"),  # the web mail of one lead in three
    ]
    search_everything(manager, "warm-up")  # the manager's roles, read once per user, are not the search's
    for label, term in terms:
        with CaptureQueriesContext(connection) as captured:
            search_everything(manager, term)
        statements = [query["sql"] for query in captured.captured_queries]

        def raw(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        query = {"q": term}
        turns = [
            (f"search {label} ({term}): page, rep", partial(as_rep.get, "/search/", query)),
            (f"search {label}: page, manager", partial(as_manager.get, "/search/", query)),
            (f"search {label}: drop-down (htmx), rep", partial(as_rep.get, "/search/", query, headers=HTMX)),
            (f"search {label}: API, rep", partial(as_rep.get, "/api/v1/search/", query)),
            (f"search {label}: API, manager", partial(as_manager.get, "/api/v1/search/", query)),
            (f"search {label}: raw SQL ({len(statements)} statements)", raw),
            (f"search {label}: raw SQL, the leads' alone", partial(raw, statements[:1])),
            (f"search {label}: page with nothing asked (q=), rep", partial(as_rep.get, "/search/", {"q": ""})),
        ]
        *served, baseline, leads_alone, unasked = alternating(turns, runs=runs)
        for measurement in served:
            ratio = measurement.median_ms / baseline.median_ms if baseline.median_ms else None
            measurement.extra = {"raw_sql_ms": baseline.median_ms, "ratio": round(ratio, 2) if ratio else None}
            measurement.target = f"median < {PAGE[0]} ms, ≤ {SEARCH_RATIO}× raw SQL"
            measurement.ok = measurement.median_ms < PAGE[0] and ratio is not None and ratio <= SEARCH_RATIO
            yield measurement
        yield baseline
        yield leads_alone
        yield unasked


# What the navigation's search box sends as one types: the results alone.
HTMX = {"HX-Request": "true"}
# Issue #23: the search box within 2× of the raw trigram query for the same term, measured in the same run.
SEARCH_RATIO = 2


def event_ingest_clients(*, runs, stdout, seconds: float = 10, rounds: int = 3):
    """The two load clients of `bench.ingest_clients` against one gunicorn, alternating (http_load, locust,
    http_load, ...) for `rounds` rounds of `seconds` each, one event per request on 8 connections: events/s
    the server stored (median of the rounds), and the CPU the client process itself took, as a share of
    the machine's cores and per request. Not in `make bench`: `--suite event_ingest_clients`."""
    import json
    import statistics
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    import psutil  # installed with locust, which this suite needs anyway
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from bench.http_load import Gunicorn
    from bench.ingest_clients import lead_range
    from leads.models import LeadEvent

    token = Token.objects.get_or_create(user=get_user_model().objects.get(username="bench_marketer"))[0].key
    size, concurrency, cores = 1, 8, os.cpu_count()
    run = timezone.now().strftime("%Y%m%d%H%M%S")
    env = {**os.environ, **lead_range(), "INGEST_TOKEN": token, "INGEST_SIZE": str(size)}

    def http_load(port, label, seconds=seconds):
        command = [sys.executable, "-m", "bench.ingest_clients", str(port), token, str(size), str(concurrency)]
        finished = subprocess.run(  # noqa: S603 - our own command line
            [*command, str(seconds)],
            cwd=settings.BASE_DIR,
            env={**env, "INGEST_RUN": f"{run}-{label}"},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(finished.stdout.strip().splitlines()[-1])

    def locust(port, label):
        with tempfile.TemporaryDirectory() as folder:
            result = Path(folder) / "result.json"
            command = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("ingest_locustfile.py"))]
            command += ["--headless", "--only-summary", "--loglevel=WARNING", f"--host=http://127.0.0.1:{port}"]
            command += [f"--users={concurrency}", f"--spawn-rate={concurrency}", f"--run-time={seconds:g}s"]
            subprocess.run(  # noqa: S603 - our own command line
                command,
                cwd=settings.BASE_DIR,
                env={**env, "INGEST_RUN": f"{run}-{label}", "INGEST_RESULT": str(result)},
                capture_output=True,
                check=False,  # locust exits 1 when a request failed: the figures count the errors
            )
            return json.loads(result.read_text())

    clients = {"http_load": http_load, "locust": locust}
    seen = {name: [] for name in clients}
    with Gunicorn(log_path=settings.BASE_DIR / "bench" / "gunicorn.log") as server:
        workers = psutil.Process(server.process.pid).children()

        def server_cpu():
            return sum(sum(process.cpu_times()[:2]) for process in workers)

        http_load(server.port, "warm-up", seconds=1)  # the workers load the URLconf, connect...
        for turn in range(rounds):
            for name, client in clients.items():
                before, cpu_before = LeadEvent.objects.count(), server_cpu()
                figures = client(server.port, f"{name}-{turn}")
                figures["grew"] = LeadEvent.objects.count() - before
                figures["server_cpu_seconds"] = server_cpu() - cpu_before
                seen[name].append(figures)
                stdout.write(f"  {name} round {turn + 1}: {json.dumps(figures)}")
    for name, figures in seen.items():
        events_per_s = [f["stored"] / f["seconds"] for f in figures]
        client_share = [f["cpu_seconds"] / f["seconds"] / cores for f in figures]
        server_share = [f["server_cpu_seconds"] / f["seconds"] / cores for f in figures]
        yield Measurement(
            name=f"event ingest via {name}: 1 event/request",
            runs=sum(f["requests"] for f in figures),
            extra={
                "events_per_s": [round(value) for value in events_per_s],
                "client_cpu_share": [f"{value:.0%}" for value in client_share],
                "client_cpu_ms_per_request": [round(f["cpu_seconds"] / f["requests"] * 1000, 3) for f in figures],
                "gunicorn_cpu_share": [f"{value:.0%}" for value in server_share],
                "median_events_per_s": round(statistics.median(events_per_s)),
                "errors": sum(f["errors"] for f in figures),
                "stored_equals_accepted": all(f["grew"] == f["stored"] for f in figures),
            },
        )


def board(*, runs, stdout):
    """The pipeline board at 200 and 2,000 open deals: HTML bytes, server time, Chromium's load event and
    the ratio of the two load events (bench/board.py)."""
    yield from board_pages(runs=runs, stdout=stdout)


SUITES = [
    scoring,
    pages,
    company_pages,
    search,
    event_ingest,
    lead_import,
    lead_export,
    handover_latency,
    deal_creates,
    board,
]
# Suites that `--suite NAME` runs and `make bench` does not.
OPTIONAL_SUITES = [event_ingest_clients]
