"""Two load clients for `POST /api/v1/events/`, each in a process of its own, to compare what they leave of
the machine to the server: `bench.http_load` (threads) and locust (gevent, `bench/ingest_locustfile.py`).

Both send the same bodies (`ingest_body`) and report the same figures as one JSON line: the seconds of
the load, requests, errors, events the server said it stored, and the CPU seconds the client process
itself used during the load (its own `getrusage`, startup excluded).

    python -m bench.ingest_clients PORT TOKEN SIZE CONCURRENCY SECONDS   # the http_load client
"""

import json
import os
import random
import resource
import sys
import time


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest_body(rng: random.Random, *, size: int, first: int, last: int, kinds: list[str], ids) -> bytes:
    """One request's body: `size` events (one object, or a list when `size` > 1) of random leads between
    `first` and `last`, each with its own `external_id` from the iterator `ids`, as integrations send them."""

    def event():
        return {"lead": rng.randint(first, last), "kind": rng.choice(kinds), "external_id": next(ids)}

    return json.dumps(event() if size == 1 else [event() for _ in range(size)]).encode()


def lead_range() -> dict:
    """What the client processes need from the database, passed to them in the environment: the leads'
    id range and the event kinds."""
    from django.db.models import Max, Min

    from leads.models import EventKind, Lead

    bounds = Lead.objects.aggregate(first=Min("pk"), last=Max("pk"))
    return {
        "INGEST_FIRST_LEAD": str(bounds["first"]),
        "INGEST_LAST_LEAD": str(bounds["last"]),
        "INGEST_KINDS": ",".join(EventKind.values),
    }


def bodies_from_environment(seed: str, size: int):
    """A body factory for one client thread or user, from the environment `lead_range` set."""
    import itertools

    rng = random.Random(seed)
    ids = (f"{seed}-{n}" for n in itertools.count())
    first, last = int(os.environ["INGEST_FIRST_LEAD"]), int(os.environ["INGEST_LAST_LEAD"])
    kinds = os.environ["INGEST_KINDS"].split(",")
    return lambda: ingest_body(rng, size=size, first=first, last=last, kinds=kinds, ids=ids)


def main(port: int, token: str, size: int, concurrency: int, seconds: float) -> None:
    from bench.http_load import drive

    run = os.environ.get("INGEST_RUN", str(time.time_ns()))
    factories = [bodies_from_environment(f"{run}-{thread}", size) for thread in range(concurrency)]
    started = cpu_seconds()
    result = drive(
        port=port,
        path="/api/v1/events/",
        headers={"Authorization": f"Token {token}"},
        body_for=lambda thread, n: (factories[thread](), size),
        concurrency=concurrency,
        seconds=seconds,
    )
    figures = {
        "seconds": result.seconds,
        "requests": result.requests,
        "errors": result.errors,
        "stored": result.stored,
        "cpu_seconds": cpu_seconds() - started,
    }
    print(json.dumps(figures))  # noqa: T201 - the parent reads this line


if __name__ == "__main__":
    port, token, size, concurrency, seconds = sys.argv[1:6]
    main(int(port), token, int(size), int(concurrency), float(seconds))
