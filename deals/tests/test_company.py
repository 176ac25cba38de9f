"""A deal's company: its id and typed name in the API, chosen on the deal page, found when none is given."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from companies.models import Company
from companies.tests.factories import CompanyFactory
from deals.models import Deal
from deals.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_deal_created_through_the_api_takes_the_company_of_its_contacts_email(rep):
    response = api(rep).post(
        "/api/v1/deals/",
        {"title": "Pilot", "amount": "100", "contact_email": "kim@acme.com", "company_name": "Acme Inc"},
        format="json",
    )
    assert response.status_code == 201
    company = Company.objects.get(pk=response.data["company"])
    assert (company.name, response.data["company_name"]) == ("Acme Inc", "Acme Inc")


def test_the_deal_api_sets_the_company_by_id_and_refuses_one_that_does_not_exist(rep):
    deal, acme = DealFactory(owner=rep), CompanyFactory(name="Acme")
    client = api(rep)
    assert client.patch(f"/api/v1/deals/{deal.pk}/", {"company": acme.pk}, format="json").data["company"] == acme.pk
    refused = client.patch(f"/api/v1/deals/{deal.pk}/", {"company": 999999}, format="json")
    assert refused.status_code == 400
    assert "company" in refused.data
    assert Deal.objects.get().account == acme


def test_the_deal_form_offers_the_companies_of_its_name_and_takes_one_chosen_by_hand(client_for, rep):
    deal = DealFactory(owner=rep, company="Acme", account=None)
    acme, other = CompanyFactory(name="ACME"), CompanyFactory(name="Other")
    client = client_for(rep)
    page = client.get(reverse("deals:deal_detail", args=[deal.pk]))
    offered = dict(page.context["form"].fields["account"].widget.choices)
    assert acme.pk in offered and other.pk not in offered
    data = {"title": deal.title, "amount": "10", "company": "Acme", "account": acme.pk}
    client.post(reverse("deals:deal_detail", args=[deal.pk]), data)
    assert Deal.objects.get().account == acme
    page = client.get(reverse("deals:deal_detail", args=[deal.pk]))
    assert f'href="/companies/{acme.pk}/"' in page.content.decode()
