"""A real WSGI server and a loopback load generator, for the benchmark of `POST /api/v1/events/`.

The server is gunicorn with 2 workers of 4 threads (gthread, as docs/operations.md deploys it), started on a
free loopback port against the bench database. The load generator is plain threads, each with one
keep-alive connection, sending requests back to back for a fixed time, with no extra dependency. It
shares the machine's cores with the server, so it does as little as it can per request: its requests
are bytes prepared ahead and its answers are read by their Content-Length (`http.client` parsed every
answer's headers with the email package: 0.45 ms of CPU per request against 0.15, CPU the server lost).

Kept over locust (a dev dependency) by measure, 2026-12-07: against one gunicorn, alternating three rounds
of 10 s each, one event per request on 8 connections (`manage.py bench --scale 20000 --suite
event_ingest_clients`, PostgreSQL, a busy machine, two passes), this client took 0.15-0.24 ms of its own
CPU per request, locust's FastHttpUser 0.54-1.13 ms (3.7-4.8x, medians of a pass), and the server stored
more events with this client (medians 136 and 198 events/s against locust's 71 and 128). bench/README.md
has the figures.
"""

import http.client
import json
import os
import re
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


class KeepAliveClient:
    """POSTs to `path` on one keep-alive HTTP/1.1 connection to 127.0.0.1:`port`, opened when needed.
    `post(body)` returns the answer's status and body, and raises OSError when the connection breaks or
    the answer has no Content-Length (the connection is then closed, and opened again on the next post)."""

    CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)

    def __init__(self, port: int, path: str, headers: dict[str, str]):
        self.port = port
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self.head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()
        self.sock: socket.socket | None = None

    def post(self, body: bytes) -> tuple[int, bytes]:
        try:
            return self._post(body)
        except OSError:
            self.close()
            raise

    def _post(self, body: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
        received = b""
        while (end := received.find(b"\r\n\r\n")) < 0:
            received += self._receive()
        head, payload = received[:end], received[end + 4 :]
        length = self.CONTENT_LENGTH.search(head)
        if length is None:
            raise OSError(f"an answer without Content-Length: {head[:100]!r}")
        while len(payload) < int(length[1]):
            payload += self._receive()
        if b"connection: close" in head.lower():
            self.close()
        return int(head[9:12]), payload

    def _receive(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection without an answer")
        return chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


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
        client = KeepAliveClient(port, path, headers)
        n = 0
        while time.perf_counter() < deadline:
            body, items = body_for(thread, n)
            n += 1
            started = time.perf_counter()
            try:
                status, payload = client.post(body)
            except OSError as exc:
                result.error(f"{exc.__class__.__name__}: {exc}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            result.items_sent += items
            if 200 <= status < 300:
                result.latencies_ms.append(elapsed)
                result.stored += json.loads(payload)["stored"]
            else:
                result.error(f"HTTP {status}: {payload[:200]!r}")
        client.close()

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
