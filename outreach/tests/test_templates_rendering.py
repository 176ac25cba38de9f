"""Merge fields: filled in for the lead and the rep, in a sandbox that refuses tags, filters and fields it
does not know, by name, and never reaches the database."""

import pytest

from companies.tests.factories import CompanyFactory
from crm.models import Profile
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from outreach.rendering import MergeError, check, merge_context, render_message

pytestmark = pytest.mark.django_db


def test_merge_fields_are_filled_in_for_the_lead_the_rep_and_the_deal(rep):
    Profile.objects.create(user=rep, signature="Rita, Relay sales")
    company = CompanyFactory(name="Acme Corp")
    lead = LeadFactory(first_name="Dana", last_name="Okafor", company="acme", account=company)
    deal = DealFactory(owner=rep, lead=lead, title="Acme: 50 seats")
    context = merge_context(lead=lead, rep=rep, deal=deal)
    rendered = render_message(
        subject="{{ lead.first_name }}, about {{ deal.title }}",
        body="Hi {{ lead.full_name }} of {{ company.name }} ({{ lead.company }}),\n{{ rep.name }}\n{{ rep.signature }}",
        context=context,
    )
    assert rendered.subject == "Dana, about Acme: 50 seats"
    assert rendered.body == f"Hi Dana Okafor of Acme Corp (Acme Corp),\n{rep.get_full_name()}\nRita, Relay sales"


def test_a_missing_value_can_default_and_the_subject_stays_on_one_line(rep):
    lead = LeadFactory(first_name="")
    rendered = render_message(
        subject="Hello\n{{ lead.first_name|default:'there' }}",
        body="{% if lead.first_name %}Hi {{ lead.first_name }}{% else %}Hello{% endif %}",
        context=merge_context(lead=lead, rep=rep),
    )
    assert rendered.subject == "Hello there"
    assert rendered.body == "Hello"


def test_text_is_plain_and_html_is_escaped(rep):
    lead = LeadFactory(first_name="<b>Ann & co</b>")
    context = merge_context(lead=lead, rep=rep)
    assert render_message(subject="x", body="{{ lead.first_name }}", context=context).body == "<b>Ann & co</b>"
    html = render_message(subject="x", body="{{ lead.first_name }}", context=context, html=True).body
    assert html == "&lt;b&gt;Ann &amp; co&lt;/b&gt;"


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("Hi {{ lead.nickname }}", "{{ lead.nickname }}"),
        ("{{ lead.owner.password }}", "{{ lead.owner.password }}"),
        ("{% if rep.salary %}x{% endif %}", "{{ rep.salary }}"),
        ("{{ lead.first_name|default:lead.secret }}", "{{ lead.secret }}"),
        ("{{ settings }}", "{{ settings }}"),
    ],
)
def test_an_unknown_field_is_refused_by_name(source, named):
    with pytest.raises(MergeError, match=named.replace("{", r"\{").replace("}", r"\}").replace(".", r"\.")):
        check(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% load static %}", "{% load %} cannot be used"),
        ('{% include "base.html" %}', "{% include %} cannot be used"),
        ('{% extends "base.html" %}', "{% extends %} cannot be used"),
        ("{% url 'leads:lead_list' %}", "{% url %} cannot be used"),
        ("{% debug %}", "{% debug %} cannot be used"),
        ("{{ lead.first_name|safe }}", "The filter |safe cannot be used"),
        ("{% if lead.first_name %}unclosed", "not valid template syntax"),
    ],
)
def test_tags_and_filters_outside_the_sandbox_are_refused(source, message):
    with pytest.raises(MergeError) as refused:
        check(source)
    assert message in str(refused.value)


def test_rendering_reads_nothing_from_the_database(rep, django_assert_num_queries):
    lead = LeadFactory(first_name="Dana")
    context = merge_context(lead=lead, rep=rep)
    with django_assert_num_queries(0):
        render_message(subject="{{ lead.first_name }}", body="{{ rep.signature }} {{ company.name }}", context=context)
