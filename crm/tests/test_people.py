"""One way to name a person: the full name, else the username, the same in code, templates and forms."""

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template

from crm.people import UserChoiceField, display_name, initials
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


def test_initials_come_from_the_name_else_the_username():
    assert initials(UserFactory(username="ann", first_name="ann", last_name="lee")) == "AL"
    assert initials(UserFactory(username="bo", first_name="", last_name="")) == "BO"


def test_the_avatar_shows_initials_with_the_name_and_one_colour_per_user():
    ann = UserFactory(first_name="Ann", last_name="Lee")
    bo = UserFactory(first_name="Bo", last_name="Chen")
    template = Template("{% load relay %}{{ user|avatar }}")
    first, again = (template.render(Context({"user": ann})) for _ in range(2))
    assert first == again == f'<abbr class="avatar c{ann.pk % 8}" title="Ann Lee">AL</abbr>'
    assert f"avatar c{bo.pk % 8}" in template.render(Context({"user": bo}))
    assert ann.pk % 8 != bo.pk % 8  # neighbours in id get different colours


def test_an_avatar_escapes_the_name_and_shows_nothing_for_no_user():
    template = Template("{% load relay %}{{ user|avatar }}|{{ nobody|avatar }}")
    rendered = template.render(Context({"user": UserFactory(first_name="<b>", last_name="Lee"), "nobody": None}))
    assert 'title="&lt;b&gt; Lee"' in rendered and rendered.endswith("|")
