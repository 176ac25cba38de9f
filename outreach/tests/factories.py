import factory
from django.utils import timezone

from crm.tests.factories import UserFactory
from leads.tests.factories import LeadFactory
from outreach.models import Email, EmailKind


class EmailFactory(factory.django.DjangoModelFactory):
    """A sent one-to-one email to a lead; `kind=EmailKind.MARKETING` for a marketing one."""

    class Meta:
        model = Email

    lead = factory.SubFactory(LeadFactory)
    sender = factory.SubFactory(UserFactory, role="Sales rep", first_name="Rita", last_name="Ramos")
    kind = EmailKind.SALES
    to_address = factory.LazyAttribute(lambda email: email.lead.email)
    subject = "Following up on the webinar"
    body = "Hello,\n\nThe recording is at https://relay.example/webinar?id=7.\nTalk soon,\nRita"
    status = Email.Status.SENT
    sent_at = factory.LazyFunction(timezone.now)
