"""Sign-in protection: lockout after repeated failures, password rules, sessions that expire."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, username, password, ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_until_locked(client, username, ip="203.0.113.7"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, username, "wrong-password", ip=ip)
    return response


def test_failed_sign_ins_below_the_limit_show_the_usual_error(client, rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, rep.username, "wrong-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert sign_in(client, rep.username, TEST_PASSWORD).status_code == 302


def test_the_fifth_failure_locks_the_username_out_with_a_clear_message(client, rep):
    assert settings.AXES_FAILURE_LIMIT == 5
    response = fail_until_locked(client, rep.username)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page
    assert "signing in is blocked for 15 minutes" in " ".join(page.split())
    assert 'name="username"' in page  # still the sign-in page


def test_a_locked_out_user_cannot_sign_in_even_with_the_right_password(client, rep):
    fail_until_locked(client, rep.username)
    response = sign_in(client, rep.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still anonymous: sent to the sign-in page


def test_the_lockout_is_per_username_and_address(client, rep, other_rep):
    fail_until_locked(client, rep.username, ip="203.0.113.7")
    assert sign_in(client, other_rep.username, TEST_PASSWORD, ip="203.0.113.7").status_code == 302
    client.logout()
    assert sign_in(client, rep.username, TEST_PASSWORD, ip="198.51.100.20").status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client, rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, rep.username, "wrong-password")
    assert sign_in(client, rep.username, TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, rep.username, "wrong-password")
    assert sign_in(client, rep.username, TEST_PASSWORD).status_code == 302


def test_a_manager_unlocks_a_user_in_the_admin(client, client_for, rep, manager):
    fail_until_locked(client, rep.username)
    attempt = AccessAttempt.objects.get(username=rep.username)

    admin = client_for(manager)
    assert rep.username in admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    response = admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    admin.logout()

    assert sign_in(client, rep.username, TEST_PASSWORD).status_code == 302


def test_a_rep_cannot_see_or_clear_lockouts_in_the_admin(client_for, rep):
    response = client_for(rep).get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 302  # not staff: the admin asks for another sign-in
    assert "/admin/login/" in response["Location"]


def test_the_admin_sign_in_is_locked_out_too(client, manager):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": manager.username, "password": "nope"}, REMOTE_ADDR="203.0.113.9"
        )
    assert response.status_code == 429
    ok = client.post(
        "/admin/login/?next=/admin/",
        {"username": manager.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert ok.status_code == 429


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901234", "ritarita2026"])
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="ritarita", email="ritarita-example@relay.example")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_a_long_uncommon_password_is_accepted():
    validate_password("plum-orbit-kettle-93", user=UserFactory.build(username="rita"))


def test_a_session_expires_after_session_cookie_age(client, rep):
    assert 8 * 3600 <= settings.SESSION_COOKIE_AGE <= 12 * 3600
    response = sign_in(client, rep.username, TEST_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
