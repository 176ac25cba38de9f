"""Only superusers act on superusers in the user admin: managers see them, read-only, and change everyone else."""

import pytest
from django.contrib.auth.models import Permission

from crm.roles import MANAGER, MARKETER, SALES_REP, primary_role
from crm.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", email="root@relay.example", is_superuser=True, is_staff=True)


def change_form(user, **changes):
    """The POST of the admin's change form for `user` as a manager sees it, with `changes` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "role": primary_role(user) or "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    return data | changes


def exists(user) -> bool:
    return type(user).objects.filter(pk=user.pk).exists()


def new_password_form():
    return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}


def test_manager_sees_a_superuser_in_the_user_list_and_its_page_read_only(client_for, manager, superuser):
    client = client_for(manager)
    assert "root@relay.example" in client.get("/admin/auth/user/").content.decode()
    page = client.get(f"/admin/auth/user/{superuser.pk}/change/")
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
    assert 'value="Save"' not in page.content.decode()


def test_manager_cannot_change_a_superusers_email_or_deactivate_it(client_for, manager, superuser):
    # A new email would let the manager reset the superuser's password through "forgotten password".
    response = client_for(manager).post(
        f"/admin/auth/user/{superuser.pk}/change/", change_form(superuser, email="omar@evil.example", is_active="")
    )
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert (superuser.email, superuser.is_active) == ("root@relay.example", True)


def test_manager_cannot_change_a_superusers_role(client_for, manager, superuser):
    response = client_for(manager).post(
        f"/admin/auth/user/{superuser.pk}/change/", change_form(superuser, role=SALES_REP)
    )
    assert response.status_code == 403
    assert not superuser.groups.exists()


def test_manager_cannot_open_or_submit_a_superusers_password_form(client_for, manager, superuser):
    client = client_for(manager)
    assert client.get(f"/admin/auth/user/{superuser.pk}/password/").status_code == 403
    assert client.post(f"/admin/auth/user/{superuser.pk}/password/", new_password_form()).status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password(TEST_PASSWORD)
    assert not superuser.check_password(NEW_PASSWORD)


def test_manager_cannot_delete_a_superuser(client_for, manager, superuser):
    client = client_for(manager)
    assert client.post(f"/admin/auth/user/{superuser.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [superuser.pk], "post": "yes"}
    client.post("/admin/auth/user/", bulk)
    assert exists(superuser)


@pytest.fixture
def user_deleter(db):
    """A staff user who may delete users (a superuser can grant that): still not superusers."""
    user = UserFactory(username="dana", role=MANAGER)
    user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    return user


def test_a_staff_user_allowed_to_delete_users_cannot_delete_a_superuser(client_for, user_deleter, superuser):
    response = client_for(user_deleter).post(f"/admin/auth/user/{superuser.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert exists(superuser)


def test_a_staff_user_allowed_to_delete_users_cannot_bulk_delete_a_superuser(client_for, user_deleter, superuser, rep):
    bulk = {"action": "delete_selected", "_selected_action": [rep.pk, superuser.pk], "post": "yes"}
    response = client_for(user_deleter).post("/admin/auth/user/", bulk)
    assert response.status_code == 403
    assert exists(superuser) and exists(rep)


def test_a_staff_user_allowed_to_delete_users_still_deletes_a_rep(client_for, user_deleter, rep):
    response = client_for(user_deleter).post(f"/admin/auth/user/{rep.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not exists(rep)


def test_manager_cannot_make_themselves_superuser_or_staff_by_posting_the_fields(client_for, manager, rep):
    client = client_for(manager)
    client.post(f"/admin/auth/user/{manager.pk}/change/", change_form(manager, is_superuser="on", is_staff="on"))
    client.post(f"/admin/auth/user/{rep.pk}/change/", change_form(rep, is_superuser="on", is_staff="on"))
    manager.refresh_from_db()
    rep.refresh_from_db()
    assert not manager.is_superuser
    assert (rep.is_superuser, rep.is_staff) == (False, False)


def test_manager_still_changes_a_reps_role_and_resets_its_password(client_for, manager, rep):
    client = client_for(manager)
    response = client.post(f"/admin/auth/user/{rep.pk}/change/", change_form(rep, role=MARKETER))
    assert response.status_code == 302
    assert client.get(f"/admin/auth/user/{rep.pk}/password/").status_code == 200
    assert client.post(f"/admin/auth/user/{rep.pk}/password/", new_password_form()).status_code == 302
    rep = type(rep).objects.get(pk=rep.pk)  # primary_role remembers the roles it read on the instance
    assert primary_role(rep) == MARKETER
    assert rep.check_password(NEW_PASSWORD)


def test_superuser_still_changes_another_superusers_password_and_deletes_it(client_for, superuser):
    other = UserFactory(username="root2", is_superuser=True, is_staff=True)
    client = client_for(superuser)
    assert client.post(f"/admin/auth/user/{other.pk}/password/", new_password_form()).status_code == 302
    other.refresh_from_db()
    assert other.check_password(NEW_PASSWORD)
    assert client.post(f"/admin/auth/user/{other.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not exists(other)
