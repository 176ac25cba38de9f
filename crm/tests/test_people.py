"""One way to name a person: the full name, else the username, the same in code, templates and forms."""

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template

from crm.people import UserChoiceField, display_name
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_named_user_shows_the_full_name():
    assert display_name(UserFactory(username="ann", first_name="Ann", last_name="Lee")) == "Ann Lee"


def test_a_user_without_a_name_shows_the_username():
    assert display_name(UserFactory(username="ann", first_name="", last_name="")) == "ann"


def test_no_user_shows_nothing():
    assert display_name(None) == ""


def test_the_filter_names_a_user_and_lets_a_missing_one_fall_back():
    template = Template('{% load relay %}{{ owner|display_name }}|{{ nobody|display_name|default:"—" }}')
    rendered = template.render(Context({"owner": UserFactory(first_name="Bo", last_name="Chen"), "nobody": None}))
    assert rendered == "Bo Chen|—"


def test_a_user_choice_is_labelled_with_the_display_name():
    UserFactory(username="ann", first_name="Ann", last_name="Lee")
    UserFactory(username="bo", first_name="", last_name="")
    field = UserChoiceField(queryset=get_user_model().objects.order_by("username"))
    assert [label for value, label in field.choices if value] == ["Ann Lee", "bo"]
