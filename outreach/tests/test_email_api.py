"""The email API: templates listed, created and updated by the same rules as the pages; an email sent to a
lead answers 202 with the queued email, or 400 naming the field that stops it."""

import pytest
from rest_framework.test import APIClient

from leads.tests.factories import LeadFactory
from outreach.models import Email, EmailKind, EmailTemplate
from outreach.tests.factories import EmailTemplateFactory

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/email-templates/"


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def emails_url(lead) -> str:
    return f"/api/v1/leads/{lead.pk}/emails/"


def test_a_rep_lists_approved_templates_and_their_own(api, rep, other_rep, marketer):
    approved = EmailTemplateFactory(owner=marketer)
    own = EmailTemplateFactory(owner=rep, approved=False)
    EmailTemplateFactory(owner=other_rep, approved=False)
    EmailTemplateFactory(owner=marketer, approved=False)
    ids = {row["id"] for row in api(rep).get(TEMPLATES).json()["results"]}
    assert ids == {approved.pk, own.pk}


def test_a_marketer_creates_an_approved_marketing_template(api, marketer):
    body = {"name": "Nurture 1", "purpose": "nurture", "kind": "marketing", "subject": "Hi", "body": "News"}
    response = api(marketer).post(TEMPLATES, body | {"approved": True}, format="json")
    assert response.status_code == 201
    template = EmailTemplate.objects.get(pk=response.json()["id"])
    assert (template.approved, template.kind, template.owner) == (True, EmailKind.MARKETING, marketer)


def test_a_reps_template_stays_unapproved_and_one_to_one(api, rep):
    body = {"name": "Mine", "subject": "Hi", "body": "x", "approved": True, "kind": "marketing"}
    response = api(rep).post(TEMPLATES, body, format="json")
    assert response.status_code == 201
    assert (response.json()["approved"], response.json()["kind"]) == (False, "sales")


def test_a_rep_cannot_update_marketings_template(api, rep, marketer):
    template = EmailTemplateFactory(owner=marketer)
    response = api(rep).patch(f"{TEMPLATES}{template.pk}/", {"name": "Mine now"}, format="json")
    assert response.status_code == 403
    template.refresh_from_db()
    assert template.name != "Mine now"


def test_an_unknown_merge_field_is_a_400_on_its_field(api, marketer):
    response = api(marketer).post(
        TEMPLATES, {"name": "x", "subject": "Hi {{ lead.nick }}", "body": "{% load static %}"}, format="json"
    )
    assert response.status_code == 400
    assert "Unknown merge field {{ lead.nick }}" in response.json()["subject"][0]
    assert "{% load %} cannot be used" in response.json()["body"][0]


def test_sending_with_a_template_answers_202_with_the_queued_email(api, rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(first_name="Dana")
    template = EmailTemplateFactory(subject="Hi {{ lead.first_name }}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(rep).post(emails_url(lead), {"template": template.pk}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["subject"], body["lead"], body["template"]) == (
        "queued",
        "Hi Dana",
        lead.pk,
        template.pk,
    )
    assert len(callbacks) == 1  # the send task, rung after the commit
    assert Email.objects.get().status == Email.Status.QUEUED


def test_sending_a_written_email_needs_a_subject_and_a_body(api, rep):
    lead = LeadFactory()
    response = api(rep).post(emails_url(lead), {"subject": "Hello"}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    response = api(rep).post(emails_url(lead), {"subject": "Hello", "body": "Hi {{ lead.age }}"}, format="json")
    assert response.status_code == 400 and "Unknown merge field" in response.json()["body"][0]
    assert not Email.objects.exists()


def test_do_not_contact_and_missing_consent_are_400_on_the_lead(api, rep):
    refused = LeadFactory(do_not_contact=True)
    response = api(rep).post(emails_url(refused), {"subject": "s", "body": "b"}, format="json")
    assert response.status_code == 400 and "asked not to be contacted" in response.json()["lead"][0]
    marketing = EmailTemplateFactory(kind=EmailKind.MARKETING)
    response = api(rep).post(
        emails_url(LeadFactory(marketing_consent=False)), {"template": marketing.pk}, format="json"
    )
    assert response.status_code == 400 and "marketing emails" in response.json()["lead"][0]
    assert not Email.objects.exists()


def test_another_reps_draft_is_a_400_on_the_template(api, rep, other_rep):
    draft = EmailTemplateFactory(owner=other_rep, approved=False)
    response = api(rep).post(emails_url(LeadFactory()), {"template": draft.pk}, format="json")
    assert response.status_code == 400 and "template" in response.json()


def test_an_unknown_lead_is_a_404(api, rep):
    assert (
        api(rep).post("/api/v1/leads/999999/emails/", {"subject": "s", "body": "b"}, format="json").status_code == 404
    )


def test_the_lead_api_shows_do_not_contact(api, rep):
    lead = LeadFactory(do_not_contact=True)
    assert api(rep).get(f"/api/v1/leads/{lead.pk}/").json()["do_not_contact"] is True
