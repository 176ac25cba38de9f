import factory

from companies.models import Company, CompanyDomain


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")


class CompanyDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyDomain

    company = factory.SubFactory(CompanyFactory)
    domain = factory.Sequence(lambda n: f"company{n}.com")
