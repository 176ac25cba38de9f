"""API token authentication: the user's roles come in the token's query, and nothing outlives a request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crm.auth import token_query
from crm.roles import MANAGER, SALES_REP, set_role
from crm.tests.factories import UserFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

EVENT = {"email": "ada@example.com", "kind": "page_view"}


@pytest.fixture(autouse=True)
def lead():
    return LeadFactory(email="ada@example.com")


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_token_request_reads_token_user_and_roles_in_one_query(marketer):
    client = token_client(marketer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/campaigns/").status_code == 200
    # DRF's TokenAuthentication read the token and its user, then `roles_of` the groups: 7 queries in all.
    assert len(queries) == 6
    # On PostgreSQL the statement is prepared (crm.prepared) and the log shows EXECUTE and its name.
    statement, _ = token_query(Token)
    assert "authtoken_token" in statement.sql and "auth_group" in statement.sql
    assert len([query for query in queries if statement.name in query["sql"] or "authtoken" in query["sql"]]) == 1


def test_a_revoked_token_is_refused_on_the_very_next_request(marketer):
    client = token_client(marketer)
    assert client.post("/api/v1/events/", EVENT, format="json").status_code == 201
    Token.objects.filter(user=marketer).delete()
    refused = client.get("/api/v1/campaigns/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Invalid token."


def test_a_changed_role_takes_effect_on_the_very_next_request(marketer):
    client = token_client(marketer)
    assert client.post("/api/v1/events/", EVENT, format="json").status_code == 201
    set_role(marketer, SALES_REP)
    assert client.post("/api/v1/events/", EVENT, format="json").status_code == 403
    set_role(marketer, MANAGER)
    assert client.post("/api/v1/events/", EVENT, format="json").status_code in (200, 201)


def test_a_user_without_a_role_may_not_read_the_api():
    client = token_client(UserFactory(username="norole"))
    assert client.get("/api/v1/campaigns/").status_code == 403


def test_a_superuser_without_groups_writes_as_a_manager():
    client = token_client(UserFactory(username="root", is_superuser=True))
    assert client.post("/api/v1/events/", EVENT, format="json").status_code == 201


def test_a_deactivated_users_token_is_refused_as_drf_refuses_it(marketer):
    client = token_client(marketer)
    marketer.is_active = False
    marketer.save(update_fields=["is_active"])
    refused = client.get("/api/v1/campaigns/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "User inactive or deleted."


def test_an_unknown_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    refused = client.get("/api/v1/campaigns/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
