"""Both load clients of the ingest comparison send the same bodies: events of leads in the range, each
with an external id of its own."""

import itertools
import json
import random

from bench.ingest_clients import ingest_body


def test_a_body_holds_one_event_or_a_list_of_events_with_ids_of_their_own():
    ids = (f"run-{n}" for n in itertools.count())
    rng = random.Random(1)

    single = json.loads(ingest_body(rng, size=1, first=10, last=12, kinds=["page_view"], ids=ids))
    batch = json.loads(ingest_body(rng, size=5, first=10, last=12, kinds=["page_view"], ids=ids))

    assert single == {"lead": single["lead"], "kind": "page_view", "external_id": "run-0"}
    assert [event["external_id"] for event in batch] == [f"run-{n}" for n in range(1, 6)]
    assert {event["lead"] for event in [single, *batch]} <= {10, 11, 12}
