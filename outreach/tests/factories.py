import factory
from django.utils import timezone

from crm.tests.factories import UserFactory
from leads.tests.factories import LeadFactory
from outreach.models import Email, EmailKind, EmailTemplate


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


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    """An approved one-to-one template written by a marketer."""

    class Meta:
        model = EmailTemplate

    name = factory.Sequence(lambda n: f"Webinar follow-up {n}")
    purpose = EmailTemplate.Purpose.WEBINAR_FOLLOW_UP
    kind = EmailKind.SALES
    subject = "{{ lead.first_name }}, the webinar recording"
    body = "Hi {{ lead.first_name|default:'there' }},\n\nThanks for joining.\n\n{{ rep.name }}\n{{ rep.signature }}"
    approved = True
    owner = factory.SubFactory(UserFactory, role="Marketer")
