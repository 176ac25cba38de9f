"""Timing helpers for the benchmark: medians and p95 of repeated runs after a warm-up, with query counts."""

import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Measurement:
    name: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    runs: int = 0
    extra: dict = field(default_factory=dict)
    target: str = ""
    ok: bool | None = None
    error: str = ""

    def as_dict(self):
        return asdict(self)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (fraction 0.95 → p95)."""
    ordered = sorted(values)
    rank = max(int(round(fraction * len(ordered) + 0.5)) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def repeat(name: str, action: Callable[[], object], *, runs: int = 20, warmup: int = 3) -> Measurement:
    """Run `action` warmup + runs times; time the runs and count the queries of the last one."""
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        action()
    return Measurement(
        name=name,
        median_ms=round(statistics.median(timings), 1),
        p95_ms=round(percentile(timings, 0.95), 1),
        queries=len(captured.captured_queries),
        runs=runs,
    )


def once(name: str, action: Callable[[], object]) -> tuple[Measurement, object]:
    """Time one run of a long job; returns the measurement and the job's result."""
    start = time.perf_counter()
    result = action()
    elapsed = (time.perf_counter() - start) * 1000
    return Measurement(name=name, median_ms=round(elapsed, 1), p95_ms=None, runs=1), result


def alternating(actions: list[tuple[str, Callable[[], object]]], *, runs: int = 20, warmup: int = 3):
    """Time several actions in turns (a, b, c, a, b, c, ...) so that each sees the same machine: on a shared,
    noisy machine only ratios of neighbouring runs mean much. Yields one Measurement per action, in order,
    with the queries of its last run."""
    for _ in range(warmup):
        for _name, action in actions:
            action()
    timings = {name: [] for name, _ in actions}
    for _ in range(runs):
        for name, action in actions:
            start = time.perf_counter()
            action()
            timings[name].append((time.perf_counter() - start) * 1000)
    for name, action in actions:
        with CaptureQueriesContext(connection) as captured:
            action()
        yield Measurement(
            name=name,
            median_ms=round(statistics.median(timings[name]), 1),
            p95_ms=round(percentile(timings[name], 0.95), 1),
            queries=len(captured.captured_queries),
            runs=runs,
        )


def peak_rss_kb() -> int:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss would carry over
    the peak of the process that started this one (the benchmark, after generating its data)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
