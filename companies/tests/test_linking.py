"""How a person finds their company: by domain (free mail and disposable excluded), else by typed name."""

import threading

import pytest
from django.db import connection, connections

from companies.models import Company, CompanyDomain, PersonalEmailDomain
from companies.services import CompanyHint, companies_for, company_for
from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_a_work_email_links_the_company_of_its_domain_created_once():
    first = company_for(email="ada@acme.com")
    assert first.name == "Acme"
    assert company_for(email="bob@ACME.com") == first
    assert list(CompanyDomain.objects.values_list("domain", flat=True)) == ["acme.com"]


def test_free_mail_links_no_company_by_domain_but_by_typed_name():
    assert company_for(email="ada@gmail.com") is None
    named = company_for(email="ada@gmail.com", name="  ACME   Ltd ")
    assert named.name == "ACME Ltd"  # as typed, its blanks tidied
    assert company_for(email="bob@yahoo.com", name="acme ltd") == named
    assert not CompanyDomain.objects.filter(domain="gmail.com").exists()


def test_a_disposable_domain_links_no_company():
    assert company_for(email="x@mailinator.com") is None
    assert not Company.objects.exists()


def test_a_managers_company_exception_makes_a_disposable_domain_a_company_again():
    PersonalEmailDomain.objects.create(domain="mailinator.com", kind=PersonalEmailDomain.Kind.COMPANY)
    assert company_for(email="x@mailinator.com").name == "Mailinator"


def test_a_domain_a_manager_lists_as_free_mail_links_no_company():
    PersonalEmailDomain.objects.create(domain="corp-mail.example", kind=PersonalEmailDomain.Kind.FREE)
    assert company_for(email="x@corp-mail.example") is None


def test_subdomains_and_case_find_the_registrable_domain():
    company = CompanyFactory(domain="acme.co.uk")
    assert company_for(email="ada@EU.Acme.CO.UK") == company
    assert company_for(email="bob@mail.eu.acme.co.uk") == company


def test_an_idn_domain_and_its_punycode_are_one_company():
    company = company_for(email="ada@bücher.de")
    assert company_for(email="bob@xn--bcher-kva.de") == company
    assert company.domains.get().domain == "xn--bcher-kva.de"
    assert company.name == "Bücher"


def test_company_domain_beats_the_email_domain():
    acme = CompanyFactory(domain="acme.com")
    assert company_for(email="ada@other-corp.com", domain="https://www.acme.com/about") == acme
    assert not CompanyDomain.objects.filter(domain="other-corp.com").exists()


def test_a_batch_links_each_hint_in_order_with_a_few_queries(django_assert_max_num_queries):
    hints = [CompanyHint(email=f"p{n}@firm{n % 50}.com") for n in range(500)] + [CompanyHint(email="z@gmail.com")]
    with django_assert_max_num_queries(8):
        found = companies_for(hints)
    assert found[-1] is None
    assert found[0] == found[50] != found[1]
    assert Company.objects.count() == 50


@pytest.mark.django_db(transaction=True)
def test_two_batches_creating_the_same_domain_at_once_end_with_one_company():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: no two batches run at once")
    barrier, found, errors = threading.Barrier(2), [], []

    def batch(n):
        try:
            barrier.wait()
            found.append(
                companies_for([CompanyHint(email=f"p{n}@same-corp.com"), CompanyHint(email=f"q{n}@own{n}.com")])
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=batch, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert found[0][0].pk == found[1][0].pk
    assert Company.objects.filter(domains__domain="same-corp.com").count() == 1
    assert Company.objects.count() == 3


def test_a_colleague_on_free_mail_joins_the_company_the_same_batch_creates_for_the_domain():
    ann, bob = companies_for(
        [
            CompanyHint(email="ann@acme-robotics.com", name="Acme Robotics"),
            CompanyHint(email="bob@gmail.com", name="ACME robotics"),
        ]
    )
    assert ann == bob
    assert Company.objects.count() == 1


def test_a_new_company_takes_the_name_typed_by_any_of_its_people_in_the_batch():
    untyped, typed = companies_for(
        [CompanyHint(email="bob@eu.acme.com"), CompanyHint(email="ada@acme.com", name="ACME Corp")]
    )
    assert untyped == typed
    assert typed.name == "ACME Corp"


def test_a_size_that_is_no_band_is_not_given_to_a_new_company():
    company = companies_for([CompanyHint(email="ann@odd-size.com", size_band="about fifty", industry="Robotics")])[0]
    assert (company.size_band, company.industry) == ("", "Robotics")
