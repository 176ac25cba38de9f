import pytest

from companies.models import PersonalEmailDomain
from companies.services import company_for

pytestmark = pytest.mark.django_db

PAGE = "/settings/email-domains/"


@pytest.mark.parametrize("role", ["marketer", "rep"])
def test_only_managers_see_and_change_the_list(client_for, request, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE + "add/", {"domain": "corp.example", "kind": "free"}).status_code == 403
    assert not PersonalEmailDomain.objects.filter(domain="corp.example").exists()


def test_a_manager_finds_the_shipped_free_mail_by_search_and_from_the_settings(client_for, manager):
    client = client_for(manager)
    assert 'href="/settings/email-domains/"' in client.get("/settings/").content.decode()
    page = client.get(PAGE, {"q": "GMAIL"})
    assert [row.domain for row in page.context["page"].object_list] == ["gmail.com"]


def test_a_manager_adds_a_free_mail_domain_and_new_leads_there_link_no_company(client_for, manager):
    response = client_for(manager).post(PAGE + "add/", {"domain": "https://Corp-Mail.example/", "kind": "free"})
    assert response.status_code == 302
    row = PersonalEmailDomain.objects.get(domain="corp-mail.example")
    assert row.added_by == manager
    assert company_for(email="x@corp-mail.example") is None


def test_a_domain_that_is_no_domain_is_refused_with_the_fields_error(client_for, manager):
    response = client_for(manager).post(PAGE + "add/", {"domain": "not a domain", "kind": "free"})
    assert response.status_code == 400
    assert "Enter an email domain" in response.content.decode()


def test_a_manager_removes_a_domain_and_its_addresses_name_a_company_again(client_for, manager):
    row = PersonalEmailDomain.objects.get(domain="gmail.com")
    client_for(manager).post(f"{PAGE}{row.pk}/remove/")
    assert not PersonalEmailDomain.objects.filter(domain="gmail.com").exists()
    assert company_for(email="x@gmail.com").name == "Gmail"
