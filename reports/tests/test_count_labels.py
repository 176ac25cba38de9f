"""Every figure on the dashboards and reports says whether it is a cohort, an activity or a now count, in the
same words everywhere, and a label means one count: the dashboard's "MQLs reached" (activity) is not the
funnel's "Reached (of leads created)" MQL row (cohort), and each equals its own report's figure."""

import re
from html import unescape

import pytest

from reports.counts import FIGURES, KINDS

from .conftest import OCTOBER

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'data-count="(\w+)" title="([^"]*)"')


def badges(html: str) -> list[tuple[str, str]]:
    return [(kind, unescape(title)) for kind, title in BADGE.findall(html)]


def labelled(html: str) -> dict[str, str]:
    """{label: kind} of each figure label followed by its badge."""
    found = {}
    for figure in FIGURES.values():
        match = re.search(re.escape(figure.label) + r'\s*<span class="badge[^"]*" data-count="(\w+)"', html)
        if match:
            found[figure.label] = match.group(1)
    return found


PAGES = [
    ("manager", "/", {}),
    ("marketer", "/", {}),
    ("rep", "/", {}),
    ("manager", "/reports/funnel/", {**OCTOBER, "split": "channel"}),
    ("manager", "/reports/sales/", OCTOBER),
    ("manager", "/reports/feedback/", OCTOBER),
    ("manager", "/reports/campaigns/", OCTOBER),
    ("manager", "/reports/campaigns/", {**OCTOBER, "view": "activity"}),
]


@pytest.mark.parametrize(("who", "path", "query"), PAGES)
def test_every_page_labels_its_figures_with_one_wording(client_for, request, funnel_data, who, path, query):
    html = client_for(request.getfixturevalue(who)).get(path, query).content.decode()
    found = badges(html)
    assert found, path
    for kind, title in found:
        assert title == KINDS[kind].definition  # the same words on every page
    for label, kind in labelled(html).items():
        assert kind == next(figure.kind for figure in FIGURES.values() if figure.label == label), label
    assert 'data-testid="count-legend"' in html or 'data-testid="campaign-view"' in html


def test_the_dashboard_names_mqls_reached_apart_from_the_funnels_reached_mql(client_for, manager, funnel_data):
    client = client_for(manager)
    dashboard = client.get("/").content.decode()
    funnel = client.get("/reports/funnel/", OCTOBER).content.decode()
    assert labelled(dashboard)["MQLs reached"] == "activity"
    assert labelled(dashboard)["Leads created"] == "cohort"
    assert labelled(funnel)["Reached (of leads created)"] == "cohort"
    assert "New MQLs" not in dashboard


def test_each_label_names_one_figure():
    labels = [figure.label for figure in FIGURES.values()]
    assert len(labels) == len(set(labels))
    assert {figure.kind for figure in FIGURES.values()} <= set(KINDS)


def test_the_marketers_figures_link_to_the_campaign_report_that_adds_up_to_them(client_for, marketer, funnel_data):
    html = client_for(marketer).get("/").content.decode()
    links = {key: unescape(url) for url, key in re.findall(r'href="([^"]+)" data-figure="(\w+)"', html)}
    assert links["leads_created"] == f"/reports/campaigns/?owner={marketer.pk}"
    assert links["mqls_reached"] == f"/reports/campaigns/?owner={marketer.pk}&view=activity"
