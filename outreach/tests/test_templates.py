"""Email templates: marketing writes, edits and approves them; a rep writes their own, seen only by them; the
list groups them by purpose with how each does in sales' hands."""

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.tests.factories import DealFactory, stage_named
from outreach.models import Email, EmailKind, EmailTemplate
from outreach.tests.factories import EmailFactory, EmailTemplateFactory

pytestmark = pytest.mark.django_db

NEW = {"name": "After the demo", "purpose": "demo_follow_up", "kind": "sales", "subject": "Hi {{ lead.first_name }}"}


def posted(**changes):
    return {**NEW, "body": "Thanks for your time.\n{{ rep.signature }}", **changes}


def test_a_marketer_creates_and_approves_a_template(client_for, marketer):
    response = client_for(marketer).post(reverse("outreach:template_create"), posted(approved="on"))
    assert response.status_code == 302
    template = EmailTemplate.objects.get(name="After the demo")
    assert template.approved and template.owner == marketer


def test_a_reps_template_is_their_own_one_to_one_and_not_approved(client_for, rep):
    client_for(rep).post(reverse("outreach:template_create"), posted(approved="on", kind="marketing"))
    template = EmailTemplate.objects.get(name="After the demo")
    assert (template.approved, template.kind, template.owner) == (False, EmailKind.SALES, rep)


def test_reps_see_approved_templates_and_their_own_only(client_for, rep, other_rep, marketer):
    EmailTemplateFactory(name="Marketing's approved", owner=marketer)
    EmailTemplateFactory(name="Marketing's draft", owner=marketer, approved=False)
    EmailTemplateFactory(name="Rita's own", owner=rep, approved=False)
    EmailTemplateFactory(name="Sam's own", owner=other_rep, approved=False)
    page = client_for(rep).get(reverse("outreach:template_list")).content.decode()
    assert "Marketing&#x27;s approved" in page and "Rita&#x27;s own" in page
    assert "Marketing&#x27;s draft" not in page and "Sam&#x27;s own" not in page
    marketing_page = client_for(marketer).get(reverse("outreach:template_list")).content.decode()
    assert "Sam&#x27;s own" in marketing_page and "Marketing&#x27;s draft" in marketing_page


def test_a_rep_edits_their_draft_but_not_marketings_template(client_for, rep, marketer):
    own = EmailTemplateFactory(owner=rep, approved=False)
    approved = EmailTemplateFactory(owner=marketer)
    client = client_for(rep)
    assert client.post(reverse("outreach:template_edit", args=[own.pk]), posted(name="Mine")).status_code == 302
    assert client.post(reverse("outreach:template_edit", args=[approved.pk]), posted()).status_code == 403
    own.refresh_from_db()
    approved.refresh_from_db()
    assert own.name == "Mine" and approved.name != "After the demo"


def test_another_reps_draft_does_not_exist_for_a_rep(client_for, rep, other_rep):
    draft = EmailTemplateFactory(owner=other_rep, approved=False)
    assert client_for(rep).get(reverse("outreach:template_edit", args=[draft.pk])).status_code == 404


def test_an_unknown_merge_field_is_a_form_error_naming_it(client_for, marketer):
    response = client_for(marketer).post(reverse("outreach:template_create"), posted(body="Hi {{ lead.nickname }}"))
    assert response.status_code == 200
    assert "Unknown merge field {{ lead.nickname }}" in response.content.decode()
    assert not EmailTemplate.objects.exists()


def test_a_load_tag_is_a_form_error_not_a_server_error(client_for, marketer):
    response = client_for(marketer).post(reverse("outreach:template_create"), posted(subject="{% load static %}"))
    assert response.status_code == 200
    assert "{% load %} cannot be used in an email template" in response.content.decode()


def test_the_preview_fills_in_a_sample_person(client_for, marketer):
    response = client_for(marketer).post(
        reverse("outreach:template_preview"), {"subject": "Hi {{ lead.first_name }}", "body": "{{ company.name }}"}
    )
    assert 'data-testid="preview-subject">Hi Dana<' in response.content.decode()
    assert "Acme Ltd" in response.content.decode()


def test_the_list_shows_each_templates_sends_rates_and_deals_won(client_for, marketer, rep):
    template = EmailTemplateFactory(name="Demo follow-up", owner=marketer)
    won = DealFactory(owner=rep, stage=stage_named("Closed won"))
    open_deal = DealFactory(owner=rep)
    now = timezone.now()
    EmailFactory(template=template, deal=won, opened_at=now, clicked_at=now)
    EmailFactory(template=template, deal=won, opened_at=now)
    EmailFactory(template=template, deal=open_deal)
    EmailFactory(template=template, deal=None)
    EmailFactory(template=template, status=Email.Status.FAILED, sent_at=None, opened_at=now)  # not a send
    EmailTemplateFactory(name="Never sent", owner=marketer)
    page = client_for(marketer).get(reverse("outreach:template_list")).content.decode()
    row = page.split("Demo follow-up")[1].split("</tr>")[0]
    assert 'data-testid="sends">4<' in row
    assert 'data-testid="open-rate">50%<' in row
    assert 'data-testid="click-rate">25%<' in row
    assert 'data-testid="deals-won">1 / 2<' in row
    never = page.split("Never sent")[1].split("</tr>")[0]
    assert 'data-testid="open-rate">—<' in never and 'data-testid="deals-won">—<' in never


def test_the_list_takes_a_fixed_number_of_queries(client_for, marketer, django_assert_max_num_queries):
    client = client_for(marketer)
    for purpose in ("introduction", "proposal", "check_in"):
        template = EmailTemplateFactory(owner=marketer, purpose=purpose)
        EmailFactory.create_batch(3, template=template)
    client.get(reverse("outreach:template_list"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("outreach:template_list"))
    assert response.content.decode().count('data-testid="template-row"') == 3


def test_the_empty_list_says_what_to_do(client_for, marketer):
    page = client_for(marketer).get(reverse("outreach:template_list")).content.decode()
    assert "Write the first one" in page
