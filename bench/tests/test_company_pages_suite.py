"""The benchmark's company suite: each company page and the account funnel timed in turns with its
baseline, with the ratio and both query counts."""

import pytest

from bench.generate import Scale, generate
from bench.suites import company_pages

pytestmark = pytest.mark.django_db


def test_the_suite_times_the_company_pages_and_the_account_funnel_against_their_baselines():
    generate(
        Scale(leads=300, events_per_lead=1, campaigns=2, days=10, deals=40, open_deals=10, reps=2, largest_company=60)
    )
    measured = {m.name: m for m in company_pages(runs=2, stdout=None)}
    assert set(measured) == {
        "page: company list, first page",
        "page: company list, sorted by open pipeline",
        "page: company list, search",
        "page: company with 60 people",
        "report: account funnel (last 30 days)",
    }
    assert all(m.error == "" and m.median_ms > 0 and m.extra["baseline_ms"] > 0 for m in measured.values())
    assert "its baseline" not in measured["page: company with 60 people"].target  # reported, not a target
    assert "≤ 1.2× its baseline" in measured["page: company list, first page"].target
    assert measured["page: company list, first page"].extra["ratio"] > 0
