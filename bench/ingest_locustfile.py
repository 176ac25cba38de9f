"""The locust side of `bench.ingest_clients`: users that POST events back to back on keep-alive connections
(FastHttpUser, locust's cheapest client), with the bodies and the figures of the http_load side. Run by the
`event_ingest_clients` suite; the environment says where (`INGEST_*`, from `lead_range`), and the figures
go as one JSON object to the file `INGEST_RESULT`."""

import itertools
import json
import os
import time

from locust import FastHttpUser, constant, events, task

from bench.ingest_clients import bodies_from_environment, cpu_seconds

SIZE = int(os.environ.get("INGEST_SIZE", "1"))
RUN = os.environ.get("INGEST_RUN", str(time.time_ns()))
HEADERS = {"Authorization": f"Token {os.environ.get('INGEST_TOKEN', '')}", "Content-Type": "application/json"}
users = itertools.count()
figures = {"requests": 0, "errors": 0, "stored": 0}
window = {}


class EventSender(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.body = bodies_from_environment(f"{RUN}-{next(users)}", SIZE)

    @task
    def send(self):
        response = self.client.post("/api/v1/events/", data=self.body(), headers=HEADERS)
        figures["requests"] += 1
        if 200 <= response.status_code < 300:
            figures["stored"] += json.loads(response.content)["stored"]
        else:
            figures["errors"] += 1


@events.test_start.add_listener
def started(**kwargs):
    window.update(began=time.perf_counter(), cpu=cpu_seconds())


@events.test_stop.add_listener
def stopped(**kwargs):
    result = {**figures, "seconds": time.perf_counter() - window["began"], "cpu_seconds": cpu_seconds() - window["cpu"]}
    with open(os.environ["INGEST_RESULT"], "w") as file:  # noqa: PTH123 - one line, gevent-patched open
        json.dump(result, file)
