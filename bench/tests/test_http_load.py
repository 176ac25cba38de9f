"""The benchmark's load generator counts what a server answered: stored items, and errors for every
non-2xx answer and broken connection (tested against a real HTTP server on loopback)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.http_load import drive


class Events(BaseHTTPRequestHandler):
    """Stores a list of items (201 and how many), refuses a body marked "refuse" (400), drops the
    connection without an answer on "hang up"."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if b"hang up" in body:
            self.close_connection = True
            return
        if b"no length" in body:  # an answer whose end is the connection's
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"stored": 1}')
            self.close_connection = True
            return
        status, payload = (
            (400, b"{}") if b"refuse" in body else (201, json.dumps({"stored": len(json.loads(body))}).encode())
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Events)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_load_generator_counts_stored_items_refusals_and_dropped_connections(server):
    def body_for(thread, n):
        # Every 5th request is refused and every 7th hangs up; the others carry 3 items.
        if n % 5 == 4:
            return b'["refuse"]', 1
        if n % 7 == 6:
            return b'["hang up"]', 1
        return b"[1, 2, 3]", 3

    result = drive(port=server.server_address[1], path="/", headers={}, body_for=body_for, concurrency=2, seconds=0.5)
    assert result.requests > 10
    assert result.errors > 0 and len(result.error_samples) <= 3
    assert any(sample.startswith("HTTP 400") for sample in result.error_samples)
    answered = len(result.latencies_ms)
    assert result.requests == answered + result.errors
    assert result.stored == 3 * answered


def test_an_answer_without_content_length_is_an_error_and_the_next_request_reconnects(server):
    def body_for(thread, n):
        return (b'["no length"]', 1) if n == 0 else (b"[1]", 1)

    result = drive(port=server.server_address[1], path="/", headers={}, body_for=body_for, concurrency=1, seconds=0.3)
    assert result.errors == 1
    assert "without Content-Length" in result.error_samples[0]
    assert result.stored == len(result.latencies_ms) > 0
