"""One lead per email, whatever its spelling (case in any script, IDNA domains), through every door."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from leads.imports.upload import queue_import, start_import
from leads.models import CaptureSource, Lead, LeadEvent, email_key
from leads.services.capture import capture_lead
from leads.services.events import record_events
from leads.tests.factories import LeadFactory
from reports.models import StaleDay

pytestmark = pytest.mark.django_db

# Pairs of spellings of one address that lower() keeps apart on at least one database: SQLite's LOWER
# folds ASCII only (É), and no database's LOWER folds ß to ss or decodes an IDNA domain.
SAME_ADDRESS = [
    ("u@ÉXAMPLE.com", "u@éxample.com"),
    ("u@STRASSE.example", "u@straße.example"),
    ("u@xn--xample-9ua.com", "U@Éxample.COM"),
]


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  u@ÉXAMPLE.com ", "u@xn--xample-9ua.com"),
        ("Straße@Example.com", "strasse@example.com"),
        ("u@example.com.", "u@example.com"),
        ("u@a..b", "u@a..b"),  # not a valid IDNA name: kept as text
        ("no-at-sign", "no-at-sign"),
    ],
)
def test_the_key_of_an_email_is_case_folded_with_an_idna_domain(email, key):
    assert email_key(email) == key


@pytest.mark.parametrize(("first", "second"), SAME_ADDRESS)
def test_two_spellings_of_one_address_are_one_lead_when_captured(first, second):
    one = capture_lead(data={"email": first, "first_name": "Una"}, source=CaptureSource.API)
    two = capture_lead(data={"email": second, "last_name": "Once"}, source=CaptureSource.API)
    assert not two.created
    assert two.lead.pk == one.lead.pk
    lead = Lead.objects.get()
    assert (lead.email, lead.first_name, lead.last_name) == (first, "Una", "Once")


@pytest.mark.parametrize(("first", "second"), SAME_ADDRESS)
def test_the_api_finds_a_lead_by_any_spelling_of_its_email(marketer, first, second):
    lead = LeadFactory(email=first)
    api = APIClient()
    api.force_authenticate(marketer)
    found = api.get("/api/v1/leads/", {"email": second})
    assert [row["id"] for row in found.data["results"]] == [lead.pk]
    merged = api.post("/api/v1/leads/", {"email": second, "company_name": "Once Ltd"}, format="json")
    assert merged.status_code == 200
    assert merged.data["id"] == lead.pk
    event = api.post("/api/v1/events/", {"email": second, "kind": "page_view"}, format="json")
    assert event.status_code == 201
    assert LeadEvent.objects.filter(lead=lead, kind="page_view").count() == 1
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(("first", "second"), SAME_ADDRESS)
def test_an_import_merges_every_spelling_of_an_address_into_one_lead(
    marketer, django_capture_on_commit_callbacks, first, second
):
    LeadFactory(email=first, company="")
    text = f"email,company\n{second},Known Co\n{second.upper()},Known Co\n"
    lead_import = start_import(uploaded=SimpleUploadedFile("leads.csv", text.encode()), by=marketer)
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(lead_import=lead_import, mapping=lead_import.mapping, campaign=None)
    lead_import.refresh_from_db()
    assert (lead_import.created, lead_import.merged, lead_import.failed) == (0, 2, 0)
    assert Lead.objects.get().company == "Known Co"


def test_the_public_form_and_the_form_by_hand_merge_into_the_same_lead(client, client_for, marketer, campaign):
    lead = LeadFactory(email="u@ÉXAMPLE.com", first_name="", last_name="")
    client.post(
        f"/capture/{campaign.slug}/",
        {"first_name": "Vera", "last_name": "V", "email": "u@éxample.com", "website": ""},
        REMOTE_ADDR="198.51.100.200",
    )
    client_for(marketer).post("/leads/new/", {"email": "U@xn--xample-9ua.com", "company": "Visit Co"})
    assert Lead.objects.count() == 1
    lead.refresh_from_db()
    assert (lead.first_name, lead.company) == ("Vera", "Visit Co")


def test_events_by_email_find_the_lead_under_another_spelling(marketer):
    lead = LeadFactory(email="u@straße.example")
    result = record_events(items=[{"index": 0, "email": "U@STRASSE.example", "kind": "page_view"}])
    assert (result.stored, result.errors) == (1, [])
    assert LeadEvent.objects.get().lead == lead


def test_editing_a_lead_to_another_spelling_of_a_known_address_is_refused_on_the_form(client_for, manager):
    LeadFactory(email="u@straße.example")
    other = LeadFactory(email="other@example.com")
    response = client_for(manager).post(f"/leads/{other.pk}/edit/", {"email": "U@STRASSE.EXAMPLE"})
    assert response.status_code == 200
    assert "A lead with this email already exists." in response.content.decode()
    other.refresh_from_db()
    assert other.email == "other@example.com"


def test_every_writer_sets_the_key(db):
    """The database refuses a lead without a key (a bulk writer that forgot it would hide the lead)."""
    created = Lead.objects.create(email="A@B.example")
    bulk = Lead.objects.bulk_create([Lead(email="C@D.example")])[0]
    assert Lead.objects.get(pk=created.pk).email_key == "a@b.example"
    assert Lead.objects.get(pk=bulk.pk).email_key == "c@d.example"


@pytest.mark.django_db(transaction=True)
def test_the_migration_keys_existing_leads_and_keeps_twins_apart(capsys):
    """Migrating a database of the previous schema: every lead gets its key; two leads that the old index
    let through for one address both stay, the older one with the key."""
    executor = MigrationExecutor(connection)
    before = [("leads", "0012_lead_links_without_constraint")]
    executor.migrate(before)
    executor.loader.build_graph()
    old_lead = executor.loader.project_state(before).apps.get_model("leads", "Lead")
    emails = ["Plain@Example.com", "STRASSE@example.com", "straße@example.com", "u@Éxample.com", "ends@dot.com."]
    ids = {email: old_lead.objects.create(email=email).pk for email in emails}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    keys = dict(Lead.objects.values_list("pk", "email_key"))
    assert keys[ids["Plain@Example.com"]] == "plain@example.com"
    assert keys[ids["STRASSE@example.com"]] == "strasse@example.com"
    assert keys[ids["straße@example.com"]] == f"strasse@example.com#{ids['straße@example.com']}"
    assert keys[ids["u@Éxample.com"]] == "u@xn--xample-9ua.com"
    assert keys[ids["ends@dot.com."]] == "ends@dot.com"
    assert "1 later twin(s)" in capsys.readouterr().out
    assert Lead.objects.with_email("Straße@EXAMPLE.com").get().pk == ids["STRASSE@example.com"]
    # The report triggers survived the table's rebuild on SQLite: a new lead still marks its day stale.
    StaleDay.objects.all().delete()
    LeadFactory()
    assert StaleDay.objects.exists()
