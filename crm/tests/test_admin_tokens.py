"""API tokens in the admin: a key is a password, so a user sees, makes and deletes only their own; a
superuser manages everyone's."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKENS = "/admin/authtoken/tokenproxy/"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def token_user(key):
    """Whom the API takes a request with this key for (None: refused)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/campaigns/")
    return response.wsgi_request.user.username if response.status_code == 200 else None


def test_manager_sees_only_their_own_token_key(client_for, manager, rep, superuser):
    keys = {user: Token.objects.create(user=user).key for user in (manager, rep, superuser)}
    page = client_for(manager).get(TOKENS).content.decode()
    assert keys[manager] in page
    assert keys[rep] not in page
    assert keys[superuser] not in page


def test_manager_cannot_open_another_users_token(client_for, manager, rep, superuser):
    client = client_for(manager)
    for user in (rep, superuser):
        key = Token.objects.create(user=user).key
        response = client.get(f"{TOKENS}{user.pk}/change/", follow=True)
        assert key not in response.content.decode()
        assert response.redirect_chain == [("/admin/", 302)]


def test_manager_cannot_create_a_token_for_a_superuser_or_a_rep(client_for, manager, rep, superuser):
    client = client_for(manager)
    for user in (superuser, rep):
        response = client.post(f"{TOKENS}add/", {"user": user.pk})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Token.objects.filter(user__in=[superuser, rep]).exists()


def test_manager_cannot_delete_or_regenerate_a_superusers_token(client_for, manager, superuser):
    key = Token.objects.create(user=superuser).key
    client = client_for(manager)
    client.post(f"{TOKENS}{superuser.pk}/delete/", {"post": "yes"})
    client.post(f"{TOKENS}add/", {"user": superuser.pk})
    assert list(Token.objects.filter(user=superuser).values_list("key", flat=True)) == [key]


def test_manager_cannot_delete_a_reps_token(client_for, manager, rep):
    key = Token.objects.create(user=rep).key
    client_for(manager).post(f"{TOKENS}{rep.pk}/delete/", {"post": "yes"})
    assert Token.objects.filter(key=key, user=rep).exists()


def test_manager_cannot_hand_their_own_key_to_a_superuser(client_for, manager, superuser):
    """Moving one's own token to another user would let its known key sign in as that user."""
    key = Token.objects.create(user=manager).key
    client_for(manager).post(f"{TOKENS}{manager.pk}/change/", {"user": superuser.pk})
    assert Token.objects.get(key=key).user == manager
    assert token_user(key) == manager.username


def test_manager_creates_and_deletes_their_own_token(client_for, manager):
    client = client_for(manager)
    assert client.post(f"{TOKENS}add/", {"user": manager.pk}).status_code == 302
    key = Token.objects.get(user=manager).key
    assert token_user(key) == manager.username
    assert client.post(f"{TOKENS}{manager.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(user=manager).exists()


def test_superuser_sees_creates_and_deletes_anyones_token(client_for, superuser, manager, rep):
    manager_key = Token.objects.create(user=manager).key
    client = client_for(superuser)
    assert manager_key in client.get(TOKENS).content.decode()
    assert client.post(f"{TOKENS}add/", {"user": rep.pk}).status_code == 302
    assert Token.objects.filter(user=rep).exists()
    assert client.post(f"{TOKENS}{manager.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(user=manager).exists()


def test_the_add_form_offers_a_manager_only_themselves(client_for, manager, superuser):
    response = client_for(manager).get(f"{TOKENS}add/").content.decode()
    assert f'value="{manager.pk}"' in response
    assert f'value="{superuser.pk}"' not in response
