"""Writing to a lead from its page, a deal's or a company's: pick a template, preview, send; refused, with a
clear message, for a lead without an email, one who asked not to be contacted, or marketing without consent."""

import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from crm.models import Profile
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from outreach.models import Email, EmailKind
from outreach.tests.factories import EmailTemplateFactory

pytestmark = pytest.mark.django_db


def test_the_lead_page_has_an_email_button_and_the_do_not_contact_badge(client_for, rep):
    lead = LeadFactory()
    page = client_for(rep).get(lead.get_absolute_url()).content.decode()
    assert reverse("outreach:compose", args=[lead.pk]) in page
    refused = LeadFactory(do_not_contact=True)
    page = client_for(rep).get(refused.get_absolute_url()).content.decode()
    assert 'data-testid="do-not-contact"' in page and reverse("outreach:compose", args=[refused.pk]) not in page


def test_choosing_a_template_fills_in_its_subject_and_body(client_for, rep):
    template = EmailTemplateFactory(subject="Webinar: {{ lead.first_name }}", body="The slides are attached.")
    url = reverse("outreach:compose", args=[LeadFactory().pk])
    page = client_for(rep).get(url, {"template": template.pk}).content.decode()
    assert 'value="Webinar: {{ lead.first_name }}"' in page and "The slides are attached." in page


def test_without_javascript_choosing_a_template_posts_and_sends_nothing(client_for, rep):
    lead = LeadFactory(first_name="Dana")
    template = EmailTemplateFactory(subject="Webinar recap", body="The slides are attached.")
    url = reverse("outreach:compose", args=[lead.pk])
    page = client_for(rep).post(url, {"template": template.pk, "use_template": "1", "subject": "", "body": ""})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Webinar recap"' in html and "The slides are attached." in html
    assert not Email.objects.exists()
    assert 'formmethod="get"' not in html  # the CSRF token never goes into an address


def test_the_preview_is_the_email_as_the_lead_will_read_it(client_for, rep):
    Profile.objects.create(user=rep, signature="Rita at Relay")
    lead = LeadFactory(first_name="Dana")
    response = client_for(rep).post(
        reverse("outreach:compose_preview", args=[lead.pk]),
        {"subject": "Hi {{ lead.first_name }}", "body": "{{ rep.signature }}"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="preview-subject">Hi Dana<' in response.content.decode()
    assert "Rita at Relay" in response.content.decode()


def test_the_preview_names_an_unknown_field(client_for, rep):
    response = client_for(rep).post(
        reverse("outreach:compose_preview", args=[LeadFactory().pk]), {"subject": "x", "body": "{{ lead.age }}"}
    )
    assert response.status_code == 200
    assert "Unknown merge field {{ lead.age }}" in response.content.decode()


def test_sending_queues_the_email_and_goes_back_to_the_lead(client_for, rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(first_name="Dana")
    template = EmailTemplateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(rep).post(
            reverse("outreach:compose", args=[lead.pk]),
            {"template": template.pk, "subject": "Hi {{ lead.first_name }}", "body": "Thanks."},
        )
    assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()
    email = Email.objects.get()
    assert (email.subject, email.template, email.sender, email.status) == ("Hi Dana", template, rep, "sent")


@pytest.mark.parametrize(
    ("lead_fields", "kind", "message"),
    [
        ({"do_not_contact": True}, EmailKind.SALES, "asked not to be contacted"),
        ({"do_not_contact": True, "marketing_consent": True}, EmailKind.MARKETING, "asked not to be contacted"),
        ({"marketing_consent": False}, EmailKind.MARKETING, "has not agreed to receive marketing emails"),
    ],
)
def test_the_form_refuses_a_lead_relay_may_not_write_to(client_for, marketer, lead_fields, kind, message):
    lead = LeadFactory(**lead_fields)
    template = EmailTemplateFactory(kind=kind)
    response = client_for(marketer).post(
        reverse("outreach:compose", args=[lead.pk]), {"template": template.pk, "subject": "s", "body": "b"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Email.objects.exists()


def test_a_rep_cannot_send_another_reps_draft(client_for, rep, other_rep):
    draft = EmailTemplateFactory(owner=other_rep, approved=False)
    response = client_for(rep).post(
        reverse("outreach:compose", args=[LeadFactory().pk]), {"template": draft.pk, "subject": "s", "body": "b"}
    )
    assert response.status_code == 200 and not Email.objects.exists()


def test_the_deal_button_writes_to_the_deals_person_about_the_deal(client_for, rep):
    lead = LeadFactory()
    deal = DealFactory(owner=rep, lead=lead, title="Acme: 50 seats")
    client = client_for(rep)
    response = client.get(reverse("outreach:compose_for_deal", args=[deal.pk]))
    assert response["Location"] == f"{reverse('outreach:compose', args=[lead.pk])}?deal={deal.pk}"
    client.post(response["Location"], {"subject": "About {{ deal.title }}", "body": "b"})
    email = Email.objects.get()
    assert (email.deal, email.subject) == (deal, "About Acme: 50 seats")


def test_a_deal_without_a_person_says_so(client_for, rep):
    deal = DealFactory(owner=rep, lead=None)
    response = client_for(rep).get(reverse("outreach:compose_for_deal", args=[deal.pk]), follow=True)
    assert "This deal has no person to write to" in response.content.decode()


def test_the_company_button_lists_its_people_to_pick_from(client_for, rep):
    company = CompanyFactory(name="Acme")
    dana = LeadFactory(first_name="Dana", account=company)
    LeadFactory(first_name="Otto", account=company, do_not_contact=True)
    page = client_for(rep).get(reverse("outreach:compose_for_company", args=[company.pk])).content.decode()
    assert f"{reverse('outreach:compose', args=[dana.pk])}?company={company.pk}" in page
    assert "Otto" in page and "Do not contact" in page
    assert (
        reverse("outreach:compose_for_company", args=[company.pk])
        in client_for(rep).get(company.get_absolute_url()).content.decode()
    )


def test_a_marketer_ticks_do_not_contact_on_the_lead_form(client_for, marketer):
    lead = LeadFactory()
    client_for(marketer).post(
        reverse("leads:lead_edit", args=[lead.pk]), {"email": lead.email, "first_name": "X", "do_not_contact": "on"}
    )
    lead.refresh_from_db()
    assert lead.do_not_contact


def test_a_user_writes_their_signature_on_their_profile(client_for, rep):
    client_for(rep).post(reverse("profile"), {"signature": "Rita Perez\nRelay sales"})
    assert Profile.objects.get(user=rep).signature == "Rita Perez\nRelay sales"
    assert "Rita Perez" in client_for(rep).get(reverse("profile")).content.decode()
