"""The benchmark's company pages suite: skipped with a word where the company pages do not exist, and
otherwise each page timed, with the two ratios to baselines timed in the same run."""

import pytest
from django.http import HttpResponse
from django.urls import include, path

import crm.urls
from bench.generate import Scale, generate
from bench.suites import company_pages

pytestmark = pytest.mark.django_db


def company_page(request, company_id=None):
    return HttpResponse("a company")


urlpatterns = [
    path(
        "companies/",
        include(
            ([path("", company_page, name="list"), path("<int:company_id>/", company_page, name="detail")], "companies")
        ),
    ),
    *crm.urls.urlpatterns,
]


def small_bench():
    generate(
        Scale(leads=300, events_per_lead=1, campaigns=2, days=10, deals=40, open_deals=10, reps=2, largest_company=60)
    )


def test_the_suite_says_it_skipped_where_there_is_no_company_list(settings):
    settings.ROOT_URLCONF = "bench.tests.urls_without_companies"
    [measurement] = company_pages(runs=1, stdout=None)
    assert "skipped" in measurement.error and "companies:list" in measurement.error


def test_the_suite_times_the_company_pages_against_their_baselines(settings):
    settings.ROOT_URLCONF = __name__
    small_bench()
    measured = {m.name: m for m in company_pages(runs=2, stdout=None)}
    assert "page: company with 60 people" in measured
    assert all(m.median_ms > 0 for name, m in measured.items() if name.startswith("page:"))
    assert measured["company page: biggest / a few people"].extra["ratio"] > 0
    assert measured["company list / lead list"].target == "≤ 1.2×"
