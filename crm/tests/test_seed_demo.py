import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from crm.roles import primary_role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_login_per_role_and_adds_nothing_twice(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out
    users = {user.username: primary_role(user) for user in get_user_model().objects.all()}
    assert users == {"marketer": "Marketer", "manager": "Manager", "rep1": "Sales rep", "rep2": "Sales rep"}
    assert "rep1 / relay-demo" in first
    assert "relay-demo" not in second  # passwords are printed once


def test_seed_demo_demo_users_can_sign_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    assert client.login(username="marketer", password="relay-demo")


def test_seed_demo_refuses_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
