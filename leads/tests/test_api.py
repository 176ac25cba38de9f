import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from leads.models import Lead, LeadEvent, ScoreRequest
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client_as(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_as


def test_posting_a_new_email_creates_the_lead_and_answers_201(api, marketer, campaign):
    response = api(marketer).post(
        "/api/v1/leads/",
        {"email": "new@example.com", "first_name": "Nia", "campaign": "spring-webinar", "consent": True},
        format="json",
    )
    assert response.status_code == 201
    assert response.data["email"] == "new@example.com"
    assert response.data["first_touch_campaign"] == "spring-webinar"
    assert response.data["marketing_consent"] is True


def test_posting_a_known_email_merges_and_answers_200_with_the_lead(api, marketer):
    lead = LeadFactory(email="known@example.com", company="Old Co", phone="123")
    response = api(marketer).post(
        "/api/v1/leads/", {"email": "KNOWN@example.com", "company_name": "New Co", "phone": ""}, format="json"
    )
    assert response.status_code == 200
    assert response.data["id"] == lead.pk
    assert (response.data["company_name"], response.data["phone"]) == ("New Co", "123")
    assert Lead.objects.count() == 1


def test_invalid_fields_are_reported_one_by_one(api, marketer):
    response = api(marketer).post(
        "/api/v1/leads/",
        {
            "email": "nope",
            "company_size": "huge",
            "campaign": "missing",
            "event_kind": "dance",
            "first_name": "x" * 101,
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.data) == {"email", "company_size", "campaign", "event_kind", "first_name"}
    assert not Lead.objects.exists()


def test_oversized_properties_are_refused(api, marketer):
    response = api(marketer).post(
        "/api/v1/leads/", {"email": "a@example.com", "properties": {"blob": "x" * 5000}}, format="json"
    )
    assert response.status_code == 400
    assert "properties" in response.data


def test_an_integration_token_of_a_marketer_can_create_leads(marketer):
    token = Token.objects.create(user=marketer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post("/api/v1/leads/", {"email": "t@example.com"}, format="json").status_code == 201


def test_leads_can_be_listed_and_filtered(api, rep):
    LeadFactory(email="a@example.com", stage="lead")
    LeadFactory(email="b@example.com", stage="mql", score=70)
    response = api(rep).get("/api/v1/leads/", {"stage": "mql"})
    assert response.status_code == 200
    assert [lead["email"] for lead in response.data["results"]] == ["b@example.com"]
    response = api(rep).get("/api/v1/leads/", {"email": "A@EXAMPLE.COM"})
    assert [lead["email"] for lead in response.data["results"]] == ["a@example.com"]


def test_one_lead_can_be_retrieved(api, rep):
    lead = LeadFactory()
    assert api(rep).get(f"/api/v1/leads/{lead.pk}/").data["email"] == lead.email


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [(None, 403, 403), ("marketer", 200, 201), ("rep", 200, 403), ("manager", 200, 201)],
)
def test_api_permissions_by_role(api, request, who, read, write):
    user = request.getfixturevalue(who) if who else None
    client = api(user)
    assert client.get("/api/v1/leads/").status_code in ({read} if user else {401, 403})
    response = client.post("/api/v1/leads/", {"email": "p@example.com"}, format="json")
    assert response.status_code in ({write} if user else {401, 403})
    response = client.post("/api/v1/events/", {"email": "p@example.com", "kind": "page_view"}, format="json")
    assert response.status_code in ({201} if write == 201 else {401, 403})


# --- Events -------------------------------------------------------------------------------------------


def test_a_single_event_by_email_is_stored_and_its_scoring_moves_last_event_time(
    api, marketer, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ev@example.com")
    with django_capture_on_commit_callbacks(execute=False) as rings:
        response = api(marketer).post(
            "/api/v1/events/",
            {"email": "EV@example.com", "kind": "pricing_page_view", "occurred_at": "2026-11-01T10:00:00Z"},
            format="json",
        )
    assert response.status_code == 201
    assert response.data["stored"] == 1
    # Stored and queued for scoring; the lead row itself is written by the scoring the commit rings for.
    assert ScoreRequest.objects.filter(lead=lead).exists()
    assert lead.events.get().kind == "pricing_page_view"
    for ring in rings:
        ring()
    lead.refresh_from_db()
    assert lead.last_event_at.isoformat() == "2026-11-01T10:00:00+00:00"
    assert lead.scored_at is not None and not ScoreRequest.objects.exists()


def test_a_batch_stores_the_good_events_and_reports_the_bad_ones_by_index(api, marketer, campaign):
    lead = LeadFactory()
    batch = [
        {"lead": lead.pk, "kind": "email_open"},
        {"lead": 999999, "kind": "email_open"},
        {"email": lead.email, "kind": "webinar_attended", "campaign": "spring-webinar"},
        {"email": "unknown@example.com", "kind": "page_view"},
        {"lead": lead.pk, "kind": "dance"},
        {"kind": "page_view"},
        {"lead": lead.pk, "kind": "page_view", "campaign": "nope"},
        {"lead": lead.pk, "kind": "page_view", "occurred_at": "yesterday"},
    ]
    response = api(marketer).post("/api/v1/events/", batch, format="json")
    assert response.status_code == 207
    assert (response.data["stored"], response.data["failed"]) == (2, 6)
    errors = {error["index"]: set(error["errors"]) for error in response.data["errors"]}
    assert errors == {1: {"lead"}, 3: {"email"}, 4: {"kind"}, 5: {"lead"}, 6: {"campaign"}, 7: {"occurred_at"}}
    assert LeadEvent.objects.filter(lead=lead).count() == 2
    assert LeadEvent.objects.filter(lead=lead, campaign=campaign).count() == 1


def test_a_resent_event_with_the_same_external_id_is_ignored(api, marketer):
    lead = LeadFactory()
    event = {"lead": lead.pk, "kind": "email_click", "external_id": "esp-123"}
    assert api(marketer).post("/api/v1/events/", event, format="json").data["stored"] == 1
    response = api(marketer).post("/api/v1/events/", [event, event], format="json")
    assert response.status_code == 201
    assert (response.data["stored"], response.data["duplicates"]) == (0, 2)
    assert LeadEvent.objects.filter(external_id="esp-123").count() == 1


def test_an_event_repeated_in_one_batch_is_stored_once(api, marketer):
    lead = LeadFactory()
    event = {"lead": lead.pk, "kind": "email_click", "external_id": "esp-9"}
    response = api(marketer).post("/api/v1/events/", [event, event], format="json")
    assert response.status_code == 201
    assert (response.data["stored"], response.data["duplicates"]) == (1, 1)


def test_a_refused_item_does_not_make_a_later_one_with_its_external_id_a_duplicate(api, marketer):
    lead = LeadFactory()
    batch = [
        {"lead": 999999, "kind": "email_click", "external_id": "esp-7"},
        {"lead": lead.pk, "kind": "email_click", "external_id": "esp-7"},
    ]
    response = api(marketer).post("/api/v1/events/", batch, format="json")
    assert response.status_code == 207
    assert (response.data["stored"], response.data["duplicates"], response.data["failed"]) == (1, 0, 1)
    assert LeadEvent.objects.get(external_id="esp-7").lead == lead


def test_an_item_with_an_unknown_lead_and_an_unknown_campaign_hears_about_both(api, marketer):
    response = api(marketer).post(
        "/api/v1/events/", {"lead": 999999, "kind": "page_view", "campaign": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["errors"] == [
        {"index": 0, "errors": {"lead": ["No lead with id 999999."], "campaign": ["No campaign with slug 'nope'."]}}
    ]


def test_a_single_event_is_one_statement_after_the_token(marketer, django_assert_num_queries):
    from django.db import connection

    lead = LeadFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=marketer).key}")
    # PostgreSQL: the token with its user and roles, then one statement that checks the lead and stores the
    # event and its score request. SQLite: the lead, then a transaction for the two inserts.
    expected = 2 if connection.vendor == "postgresql" else 6
    with django_assert_num_queries(expected):
        response = client.post("/api/v1/events/", {"lead": lead.pk, "kind": "page_view"}, format="json")
    assert response.status_code == 201


def test_items_that_are_not_event_objects_are_refused_by_index(api, marketer):
    lead = LeadFactory()
    response = api(marketer).post(
        "/api/v1/events/", [None, "page_view", {"lead": lead.pk, "kind": "page_view"}], format="json"
    )
    assert response.status_code == 207
    assert response.data["stored"] == 1
    assert [error["index"] for error in response.data["errors"]] == [0, 1]
    assert response.data["errors"][0]["errors"] == {"non_field_errors": ["No data provided"]}
    assert "Expected a dictionary" in response.data["errors"][1]["errors"]["non_field_errors"][0]


def test_a_batch_of_only_bad_events_answers_400(api, marketer):
    response = api(marketer).post("/api/v1/events/", [{"kind": "page_view"}], format="json")
    assert response.status_code == 400
    assert response.data["failed"] == 1


def test_more_than_a_thousand_events_are_refused(api, marketer):
    lead = LeadFactory()
    response = api(marketer).post("/api/v1/events/", [{"lead": lead.pk, "kind": "page_view"}] * 1001, format="json")
    assert response.status_code == 400
    assert not LeadEvent.objects.exists()


def test_a_batch_of_a_thousand_events_takes_a_constant_number_of_queries(
    api, marketer, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    leads = LeadFactory.create_batch(20)
    batch = [{"lead": leads[i % 20].pk, "kind": "page_view", "external_id": f"x{i}"} for i in range(1000)]
    client = api(marketer)
    # Role, leads, the INSERTs (SQLite caps parameters per statement) and the score requests.
    with django_assert_max_num_queries(20), django_capture_on_commit_callbacks(execute=False) as rings:
        response = client.post("/api/v1/events/", batch, format="json")
    assert response.data["stored"] == 1000
    assert ScoreRequest.objects.count() == 20
    for ring in rings:
        ring()
    newest = LeadEventFactory._meta.model.objects.filter(lead=leads[0]).order_by("-occurred_at").first()
    leads[0].refresh_from_db()
    assert leads[0].last_event_at == newest.occurred_at
