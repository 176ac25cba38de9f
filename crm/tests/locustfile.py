"""Relay under load, run by `crm/tests/test_load.py`: people browsing, reps moving deals, integrations posting events.

The plan (users, deals, stages, an API token, the duration) is the JSON file named by RELAY_LOAD_PLAN.
After the duration users start no new request and the run ends once the last answer is in, so that no
request is cut off; locust's own --run-time is only a backstop. Then what was counted — requests, server
errors, answers no scenario expects, events sent and accepted — is written to the file the plan names,
for the test to compare with the database.
"""

import json
import os
import random
import re
import time
import uuid
from collections import Counter
from pathlib import Path

import gevent
from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["RELAY_LOAD_PLAN"]).read_text())
COUNTS = Counter()
UNEXPECTED: list[str] = []
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EVENT_KINDS = ["page_view", "email_open", "email_click", "content_download", "pricing_page_view"]
RUN = {"deadline": float("inf")}


@events.test_start.add_listener
def end_when_the_last_answer_is_in(environment, **kwargs):
    RUN["deadline"] = time.monotonic() + PLAN["seconds"]

    def quit_once_all_users_stopped():
        gevent.sleep(PLAN["seconds"])
        while environment.runner.user_count:
            gevent.sleep(0.2)
        environment.runner.quit()

    gevent.spawn(quit_once_all_users_stopped)


class RelayUser(HttpUser):
    abstract = True

    def call(self, method, url, *, name=None, expect=(200,), **kwargs):
        """Send a request; any status outside `expect` is a failure, and counted for the test."""
        self.stop_after_deadline()
        with self.client.request(
            method, url, name=name or url, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            COUNTS["requests"] += 1
            if response.status_code >= 500:
                COUNTS["5xx"] += 1
            if response.status_code in expect:
                response.success()
            else:
                answer = response.text[:200] if response.status_code else response.error
                UNEXPECTED.append(f"{method} {name or url}: {response.status_code} {answer!r}")
                response.failure(f"unexpected status {response.status_code}")
            return response

    def stop_after_deadline(self):
        if time.monotonic() > RUN["deadline"]:
            raise StopUser()

    def sign_in(self, username):
        form = self.call("GET", "/accounts/login/")
        token = CSRF_FIELD.search(form.text).group(1)
        data = {"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": token}
        self.call("POST", "/accounts/login/", data=data, expect=(302,))

    def post_form(self, url, data, *, name, expect=(200,), **kwargs):
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), **kwargs.pop("headers", {})}
        return self.call("POST", url, name=name, data=data, headers=headers, expect=expect, **kwargs)


class Browsing(RelayUser):
    """A marketer or a manager reading the pages of a working day."""

    weight = 5
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.sign_in(random.choice(PLAN["browsers"]))

    @task(3)
    def dashboard(self):
        self.call("GET", "/")

    @task(3)
    def lead_list(self):
        self.call("GET", "/leads/")

    @task(3)
    def lead_detail(self):
        self.call("GET", f"/leads/{random.choice(PLAN['leads'])}/", name="/leads/[id]/")

    @task(2)
    def campaign_list(self):
        self.call("GET", "/campaigns/")

    @task(1)
    def funnel_report(self):
        self.call("GET", "/reports/funnel/")

    @task(1)
    def campaign_report(self):
        self.call("GET", "/reports/campaigns/")


class BoardMoves(RelayUser):
    """A sales rep on the pipeline board, dragging their own deals between open stages."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.rep = random.choice(list(PLAN["reps"]))
        self.sign_in(self.rep)

    @task(1)
    def board(self):
        self.call("GET", "/pipeline/")

    @task(3)
    def move(self):
        deal = random.choice(PLAN["reps"][self.rep])
        data = {"stage": random.choice(PLAN["open_stages"])}
        self.post_form(f"/deals/{deal}/move/", data, name="/deals/[id]/move/", headers={"HX-Request": "true"})


class EventIngest(RelayUser):
    """An integration posting engagement events in small batches with its token."""

    weight = 2
    wait_time = between(0.2, 0.8)

    @task
    def post_events(self):
        self.stop_after_deadline()
        batch = [
            {
                "email": random.choice(PLAN["emails"]),
                "kind": random.choice(EVENT_KINDS),
                "external_id": f"{PLAN['event_prefix']}{uuid.uuid4().hex}",
            }
            for _ in range(random.randint(1, 10))
        ]
        COUNTS["events_sent"] += len(batch)
        response = self.call(
            "POST",
            "/api/v1/events/",
            json=batch,
            headers={"Authorization": f"Token {PLAN['token']}"},
            expect=(201,),
        )
        if response.status_code == 201:
            COUNTS["events_accepted"] += response.json()["stored"]


class LoadBalancer(RelayUser):
    """The load balancer's health probe, once a second."""

    fixed_count = 1
    wait_time = constant(1)

    @task
    def healthz(self):
        self.call("GET", "/healthz")
        COUNTS["healthz"] += 1


@events.test_stop.add_listener
def write_counts(environment, **kwargs):
    total, entries = environment.stats.total, environment.stats.entries
    report = {
        **COUNTS,
        "unexpected": UNEXPECTED,
        "locust_requests": total.num_requests,
        "locust_failures": total.num_failures,
        "by_endpoint": {f"{method} {name}": entry.num_requests for (name, method), entry in entries.items()},
        "requests_per_second": total.total_rps,
        "median_ms": total.median_response_time,
        "p95_ms": total.get_response_time_percentile(0.95),
    }
    Path(PLAN["results"]).write_text(json.dumps(report, indent=2))
