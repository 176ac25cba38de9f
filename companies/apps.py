from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    """The companies behind the leads: accounts, their web domains, and the email domains that name no company."""

    name = "companies"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(restore_personal_domains, sender=self)


def restore_personal_domains(using="default", **kwargs):
    """After a flush (tests) the shipped personal email domains are loaded again, as the migration did."""
    from companies.defaults import ensure_personal_domains
    from companies.models import PersonalEmailDomain

    ensure_personal_domains(PersonalEmailDomain, using=using)
