import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from crm.roles import MANAGER, MARKETER, ROLES, SALES_REP, has_role, primary_role, role_required, set_role
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_manager_group_may_change_users_in_the_admin():
    codenames = set(Group.objects.get(name=MANAGER).permissions.values_list("codename", flat=True))
    assert {"change_user", "view_user"} <= codenames
    assert "change_user" not in set(Group.objects.get(name=SALES_REP).permissions.values_list("codename", flat=True))


def test_set_role_replaces_the_previous_role_and_gives_managers_the_admin():
    user = UserFactory(role=SALES_REP)
    set_role(user, MANAGER)
    user.refresh_from_db()
    assert primary_role(user) == MANAGER
    assert list(user.groups.values_list("name", flat=True)) == [MANAGER]
    assert user.is_staff
    set_role(user, MARKETER)
    user.refresh_from_db()
    assert primary_role(user) == MARKETER
    assert not user.is_staff


def test_superuser_counts_as_manager():
    user = UserFactory(is_superuser=True)
    assert has_role(user, MANAGER)


def test_role_required_refuses_other_roles():
    @role_required(MARKETER, MANAGER)
    def edit_campaign(request):
        return "edited"

    request = RequestFactory().get("/")
    request.user = UserFactory(role=SALES_REP)
    with pytest.raises(PermissionDenied):
        edit_campaign(request)
    request.user = UserFactory(role=MARKETER)
    assert edit_campaign(request) == "edited"


def test_manager_changes_a_users_role_in_the_admin(client_for, manager):
    user = UserFactory(role=SALES_REP, username="newbie")
    client = client_for(manager)
    page = client.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    assert "is_superuser" not in page.content.decode()  # only superusers can grant superuser
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Bie",
            "email": "newbie@relay.example",
            "is_active": "on",
            "role": MARKETER,
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert primary_role(user) == MARKETER


def test_sales_rep_cannot_open_the_admin(client_for, rep):
    response = client_for(rep).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
