import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The deals tests create many users; a cheap hasher keeps the permission matrix quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
