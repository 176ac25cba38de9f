"""A real WSGI server and a loopback load generator, for the benchmark of `POST /api/v1/events/`.

The server is gunicorn as the Procfile runs it (2 workers), started on a free loopback port against the
bench database. The load generator is plain threads, each with one keep-alive `http.client` connection,
sending requests back to back for a fixed time: no extra dependency, and on loopback the server, not
the generator, is what runs out of CPU first.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(log_path=...) as server:` serves crm.wsgi on `server.port` until the block ends."""

    def __init__(self, *, log_path: Path, workers: int = 2, threads: int = 4):
        self.port = free_port()
        self.log_path = log_path
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "crm.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            f"--error-logfile={log_path}",
            # Several benchmarks may run on one machine: no shared control socket in ~/.gunicorn.
            "--no-control-socket",
        ]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        # The bench's own environment: the bench database, DEBUG off, the same broker.
        self.process = subprocess.Popen(self.command, cwd=settings.BASE_DIR, env=os.environ.copy())  # noqa: S603
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                connection.close()
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer on port {self.port} within 30 s; see {self.log_path}")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class LoadResult:
    """What one load run saw: every request's latency, the refused or failed ones, and what the server
    said it stored (the `stored` of each 2xx answer)."""

    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    items_sent: int = 0
    stored: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors

    def error(self, description: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 3:
            self.error_samples.append(description)

    def add(self, other: "LoadResult") -> None:
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.error_samples += other.error_samples[: 3 - len(self.error_samples)]
        self.items_sent += other.items_sent
        self.stored += other.stored


def drive(
    *,
    port: int,
    path: str,
    headers: dict[str, str],
    body_for: Callable[[int, int], tuple[bytes, int]],
    concurrency: int,
    seconds: float,
) -> LoadResult:
    """POST to `path` from `concurrency` threads for `seconds`. `body_for(thread, n)` returns the n-th
    request body of a thread and how many items it holds. A non-2xx answer or a broken connection is an
    error (the connection is then opened again)."""
    headers = {"Content-Type": "application/json", **headers}
    deadline = time.perf_counter() + seconds
    results = [LoadResult() for _ in range(concurrency)]

    def run(thread: int) -> None:
        result = results[thread]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while time.perf_counter() < deadline:
            body, items = body_for(thread, n)
            n += 1
            started = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                result.error(f"{exc.__class__.__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            result.items_sent += items
            if 200 <= response.status < 300:
                result.latencies_ms.append(elapsed)
                result.stored += json.loads(payload)["stored"]
            else:
                result.error(f"HTTP {response.status}: {payload[:200]!r}")
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = LoadResult(seconds=time.perf_counter() - started)
    for result in results:
        total.add(result)
    return total
