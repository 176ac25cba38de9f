"""Company fit rules and account settings on the scoring page: marketers change them, reps only read."""

import pytest

from companies.models import AccountSettings, Company, CompanyFitRule
from crm.tests.test_xss_sweep import FormFields

pytestmark = pytest.mark.django_db


def page_data(client) -> dict:
    """The scoring page's form as a browser would send it."""
    return FormFields("settings-mql_threshold").data(client.get("/leads/scoring/").content.decode())


def with_new_company_rule(data: dict, **rule) -> dict:
    index = int(data["company-fit-TOTAL_FORMS"]) - 1  # the empty last row
    return data | {f"company-fit-{index}-{name}": str(value) for name, value in rule.items()}


def test_a_marketer_adds_a_company_fit_rule_and_every_company_is_marked_due(client_for, marketer):
    acme = Company.objects.create(name="Acme")
    Company.objects.filter(pk=acme.pk).update(rollups_due=False)
    client = client_for(marketer)
    data = with_new_company_rule(page_data(client), field="industry", operator="contains", value="soft", points=15)
    data["accounts-engaged_account_score"] = "80"
    response = client.post("/leads/scoring/", data)
    assert response.status_code == 302
    assert [str(rule) for rule in CompanyFitRule.objects.all()] == ["Industry contains soft: +15"]
    assert AccountSettings.load().engaged_account_score == 80
    acme.refresh_from_db()
    assert acme.rollups_due is True
    assert "Company fit rules" in client.get("/leads/scoring/").content.decode()


def test_a_rule_whose_operator_does_not_fit_its_field_is_refused_beside_it(client_for, marketer):
    client = client_for(marketer)
    data = with_new_company_rule(page_data(client), field="country", operator="at_least", value="DE", points=5)
    response = client.post("/leads/scoring/", data)
    assert response.status_code == 400
    errors = response.context["company_rules"].errors
    assert any("Country takes" in message for form_errors in errors for message in form_errors.get("operator", []))
    assert not CompanyFitRule.objects.exists()


def test_a_people_rule_needs_a_number(client_for, manager):
    client = client_for(manager)
    data = with_new_company_rule(page_data(client), field="people_count", operator="at_least", value="many", points=5)
    response = client.post("/leads/scoring/", data)
    assert response.status_code == 400
    assert "whole numbers" in response.content.decode()


def test_a_rep_reads_the_company_rules_but_cannot_change_them(client_for, rep, marketer):
    CompanyFitRule.objects.create(field="country", operator="equals", value="DE", points=4)
    data = with_new_company_rule(
        page_data(client_for(marketer)), field="industry", operator="equals", value="x", points=1
    )
    client = client_for(rep)
    page = client.get("/leads/scoring/").content.decode()
    assert 'value="DE"' in page and "Marketers and managers edit these rules." in page
    assert client.post("/leads/scoring/", data).status_code == 403
    assert CompanyFitRule.objects.count() == 1
