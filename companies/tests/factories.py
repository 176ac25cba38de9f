import factory

from companies.models import Company, CompanyDomain


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Company {n}")

    @factory.post_generation
    def domain(self, create, extracted, **kwargs):
        """`CompanyFactory(domain="acme.com")`: the company owns that web domain."""
        if create and extracted:
            CompanyDomain.objects.create(company=self, domain=extracted)


class CompanyDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyDomain

    company = factory.SubFactory(CompanyFactory)
    domain = factory.Sequence(lambda n: f"company{n}.com")
