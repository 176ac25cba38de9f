"""Every text Relay derives from what people typed fits its column.

Each free-text field is filled to its maximum length (lead, campaign, users, notes, a deal's next step, an
activity) and the leads travel the whole funnel: capture by the API, a CSV import and the public form,
scoring, hand-over (the deal and the rep's notification), accept and reject, the deals won and lost, the SLA
reassignment, and every page the manager, the reps and the marketer open for them. Then no stored value of
any model of Relay's apps may be longer than its column: PostgreSQL refuses such a value (the step that
wrote it fails), SQLite stores it whole, so the last check is what fails there.
"""

import datetime

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.functions import Length
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import Campaign, Channel
from campaigns.tests.factories import CampaignFactory
from crm.models import Notification
from crm.tests.factories import UserFactory
from deals.models import Deal, Pipeline, Stage
from deals.services import ensure_default_pipeline, move_deal, update_deal, update_stage
from deals.tests.factories import stage_named
from handoff.models import Handoff
from handoff.selectors import sla_hours_at
from handoff.services import accept_mql, reassign_overdue_mqls, reject_mql
from leads.imports.run import run_import
from leads.models import Lead, LeadImport, ScoringSettings
from leads.tasks import score_stale_leads
from reports.tasks import refresh_rollups
from reports.views import FEEDBACK_TABLES

pytestmark = pytest.mark.django_db

APPS = ("crm", "campaigns", "leads", "deals", "reports")
PATTERN = "Zoë Ørsted-Łukasz Ñandú "


def typed(length: int, start: str = "") -> str:
    """What a person could type into a field of `length` characters, filling it: several scripts, spaces
    inside, none at the ends (forms strip them)."""
    text = (start + PATTERN * (length // len(PATTERN) + 1))[:length]
    return text[:-1] + "z"


def longest_email(tag: str) -> str:
    """A valid address of 254 characters, the most an email field takes (64 before the @)."""
    local = (tag + "a" * 64)[:64]
    return f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 57}.com"


def longest_user(role: str, tag: str):
    return UserFactory(
        role=role,
        username=(tag + "_" * 150)[:150],
        first_name=typed(150, tag),
        last_name=typed(150, "Van der " + tag),
        email=longest_email(tag),
    )


def contact(tag: str) -> dict:
    """Every contact field of a lead at its maximum length; the job title scores (VP)."""
    return {
        "email": longest_email(tag),
        "first_name": typed(100, tag),
        "last_name": typed(100, "O'" + tag),
        "company": typed(200, tag + " Holdings"),
        "job_title": typed(200, "VP " + tag),
        "phone": ("+49 30 " + "1234 5678 " * 4)[:39] + "9",
        "industry": typed(100, "Software " + tag),
        "country": typed(60, tag + "land"),
    }


def overflowing_values():
    """(model, field, pk, length, max_length) of every stored CharField value longer than its column."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.FileField) or not field.max_length:
                continue
            rows = (
                model._default_manager.annotate(stored_length=Length(field.name))
                .filter(stored_length__gt=field.max_length)
                .values_list("pk", "stored_length")
            )
            found += [(model._meta.label, field.name, pk, length, field.max_length) for pk, length in rows]
    return found


@pytest.fixture
def people(db):
    return {
        "manager": longest_user("Manager", "manager"),
        "rep": longest_user("Sales rep", "rita"),
        "other_rep": longest_user("Sales rep", "sam"),
        "marketer": longest_user("Marketer", "maya"),
    }


@pytest.fixture
def campaign(people):
    return CampaignFactory(
        name=typed(200, "Webinar "),
        slug=("spring-webinar-" + "x" * 80)[:80],
        channel=Channel.EVENTS,
        utm_source=typed(100, "source "),
        utm_medium=typed(100, "medium "),
        utm_campaign=typed(100, "campaign "),
        owner=people["marketer"],
    )


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def capture_by_the_api(marketer, campaign, tags):
    api = APIClient()
    api.force_authenticate(marketer)
    for tag in tags:
        fields = contact(tag)
        fields["company_name"] = fields.pop("company")  # the API's `company` is the Company record's id
        data = {**fields, "campaign": campaign.slug, "consent": True, "event_kind": "demo_request"}
        response = api.post("/api/v1/leads/", data, format="json")
        assert response.status_code == 201, response.data
    event = {"email": longest_email(tags[0]), "kind": "pricing_page_view", "campaign": campaign.slug}
    response = api.post("/api/v1/events/", {**event, "external_id": typed(100, "visit ")}, format="json")
    assert response.status_code < 300, response.data


def capture_by_an_import(marketer, campaign, tags, merged_tag):
    """Upload and map a CSV in the browser, then run the import as the worker does."""
    header = ["email", "first name", "last name", "company", "job title", "phone", "industry", "country", "campaign"]
    rows = [[*contact(tag).values(), campaign.slug] for tag in [*tags, merged_tag]]
    rows[-1][0] = rows[-1][0].upper()  # a known lead, merged
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in [header, *rows]) + "\n"
    client = signed_in(marketer)
    # A long name with a dot early on and no .csv (its "extension" is long): the name the file is stored under.
    uploaded = SimpleUploadedFile(typed(255, "Leads from Dr. Smith's booth "), text.encode(), content_type="text/csv")
    response = client.post("/leads/import/", {"file": uploaded})
    assert response.status_code == 302, response.content.decode()
    lead_import = LeadImport.objects.get()
    mapping = {f"column_{index}": field for index, field in lead_import.mapping.items()}
    assert client.post(f"/leads/import/{lead_import.pk}/mapping/", mapping).status_code == 302
    lead_import = run_import(lead_import.pk)
    assert (lead_import.status, lead_import.created, lead_import.merged) == ("done", len(tags), 1)
    return lead_import


def capture_by_the_public_form(campaign, tag):
    """A new lead through the public form (being reworked: only the fields every version has)."""
    fields = contact(tag)
    data = {name: fields[name] for name in ("first_name", "last_name", "email", "company", "job_title")}
    response = Client().post(
        f"/capture/{campaign.slug}/", {**data, "consent": "on", "website": ""}, REMOTE_ADDR="203.0.113.250"
    )
    assert response.status_code == 302, response.content.decode()


def create_by_hand(marketer) -> tuple[str, str]:
    """A campaign made in the browser with its address left for Relay to make from its name, and a lead
    entered by hand with no company (its deal's title comes from the name). Returns their slug and tag."""
    client = signed_in(marketer)
    campaign = {
        "name": typed(200, "Trade fair "),
        "slug": "",
        "channel": Channel.EVENTS,
        "objective": "event",
        "status": "active",
        "start_date": "2026-09-01",
        "budget": "2500",
        "owner": marketer.pk,
        "utm_source": typed(100, "fair "),
        "utm_medium": typed(100, "booth "),
        "utm_campaign": typed(100, "fair-"),
        "description": typed(3000, "Booth "),
    }
    assert client.post("/campaigns/new/", campaign).status_code == 302
    slug = Campaign.objects.get(name=campaign["name"]).slug
    fields = {**contact("hand1"), "company": "", "company_size": "", "campaign": slug, "marketing_consent": "on"}
    assert client.post("/leads/new/", fields).status_code == 302
    return slug, "hand1"


def lead(tag) -> Lead:
    return Lead.objects.get(email__iexact=longest_email(tag))


def test_every_text_derived_from_fields_at_their_limit_fits_its_column(people, campaign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    manager, rep, other_rep, marketer = people["manager"], people["rep"], people["other_rep"], people["marketer"]
    # Stages and the pipeline renamed by a manager to their limits: deals copy stage names into their history.
    pipeline = ensure_default_pipeline()
    Pipeline.objects.filter(pk=pipeline.pk).update(name=typed(100, "Pipeline "))
    won = update_stage(stage=stage_named("Closed won"), name=typed(60, "Won "), probability=100)
    lost = stage_named("Closed lost")
    ScoringSettings.objects.filter(pk=1).update(mql_threshold=10)  # the job title's VP (15) qualifies

    # Capture.
    capture_by_the_api(marketer, campaign, ["api1", "api2", "api3"])
    lead_import = capture_by_an_import(marketer, campaign, ["csv1", "csv2"], merged_tag="api1")
    capture_by_the_public_form(campaign, "web1")
    fair, by_hand = create_by_hand(marketer)
    tags = ["api1", "api2", "api3", "csv1", "csv2", "web1", by_hand]
    assert Lead.objects.count() == len(tags)
    # The manager records a consent given on the phone: the consent's source names them.
    edited = lead("csv1")
    form = {name: getattr(edited, name) for name in ("email", *contact("csv1"), "company_size")}
    form["marketing_consent"] = "on"
    assert signed_in(manager).post(f"/leads/{edited.pk}/edit/", form).status_code == 302
    assert "by hand by manager" in lead("csv1").consent_source

    # Scoring and the hand-over: a hand-over and a notification per lead, and no deal until a rep accepts.
    score_stale_leads()
    assert (Handoff.objects.count(), Deal.objects.count()) == (len(tags), 0)
    handoffs = {tag: Handoff.objects.get(lead=lead(tag)) for tag in tags}

    # The reps answer: three accepted (one deal won, one lost, one open), one rejected; the others wait
    # past the SLA.
    note = typed(2000, "Spoke to them ")
    for tag in ("api1", "api2", by_hand):
        accept_mql(handoff_id=handoffs[tag].pk, by=handoffs[tag].rep, note=note)
    reject_mql(handoff_id=handoffs["api3"].pk, by=handoffs["api3"].rep, reason="other", note=note)
    assert Deal.objects.count() == 3
    deal_won, deal_lost = (Deal.objects.get(lead=lead(tag)) for tag in ("api1", "api2"))
    update_deal(deal=deal_won, by=deal_won.owner, next_step=typed(200, "Send "), amount=12_500)
    owner_client = signed_in(deal_won.owner)
    response = owner_client.post(f"/deals/{deal_won.pk}/activities/", {"kind": "call", "subject": typed(200, "Call ")})
    assert response.status_code == 302
    response = owner_client.post(f"/leads/{lead('api1').pk}/notes/", {"body": note})
    assert response.status_code == 302
    move_deal(deal=deal_won, to_stage=Stage.objects.get(pk=won.pk), by=deal_won.owner, note=note)
    move_deal(deal=deal_lost, to_stage=lost, by=deal_lost.owner, lost_reason="other", note=note)

    # The SLA runs out for the others: each goes to the other rep, and the managers hear of it.
    later = timezone.now() + datetime.timedelta(hours=sla_hours_at() + 1)
    assert reassign_overdue_mqls(now=later) == 3
    assert Notification.objects.filter(user=manager).count() == 3
    refresh_rollups(everything=True)

    # Every page they open answers.
    leads_pages = [f"/leads/{lead(tag).pk}/" for tag in tags]
    deal_pages = [f"/deals/{deal.pk}/" for deal in Deal.objects.all()]
    reports = ["/reports/", "/reports/funnel/", "/reports/feedback/"]
    downloads = [
        "/reports/funnel/?format=csv&table=stages",
        "/reports/funnel/?format=csv&table=groups&split=campaign",
        "/reports/funnel/?format=csv&table=groups&split=channel",
        *(f"/reports/feedback/?format=csv&table={table}" for table in FEEDBACK_TABLES),
    ]
    sales = ["/reports/sales/", "/reports/sales/?format=csv&table=forecast", "/reports/sales/?format=csv&table=reps"]
    marketing = [
        "/reports/campaigns/",
        "/reports/campaigns/?format=csv&table=campaigns",
        "/reports/campaigns/?format=csv&table=channels",
        "/reports/campaigns/?attribution=last",
        "/campaigns/",
        f"/campaigns/{campaign.slug}/",
        f"/campaigns/{fair}/",
        f"/capture/{campaign.slug}/",
    ]
    everyone = ["/", "/notifications/", "/leads/", "/pipeline/", "/deals/", "/deals/export.csv"]
    pages = {
        manager: [
            *everyone,
            *leads_pages,
            *deal_pages,
            *reports,
            *downloads,
            *sales,
            *marketing,
            "/inbox/",
            "/handoffs/failed/",
            f"/leads/import/{lead_import.pk}/",
        ],
        rep: [*everyone, *leads_pages, *deal_pages, *reports, *downloads, *sales, "/inbox/"],
        other_rep: [*everyone, *leads_pages, *deal_pages, *reports, *downloads, *sales, "/inbox/"],
        marketer: [
            *everyone,
            *leads_pages,
            *deal_pages,
            *reports,
            *downloads,
            *marketing,
            f"/leads/import/{lead_import.pk}/",
        ],
    }
    for user, paths in pages.items():
        client = signed_in(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, f"{path} for {user.username[:12]}: {response.status_code}"
            response.getvalue()  # a CSV download is written as it streams: read it to the end

    # The texts built from them were cut to their columns, not refused.
    assert Deal.objects.get(lead=lead(by_hand)).title.endswith("…")  # from a name of 201 characters
    assert Notification.objects.filter(user=manager, message__endswith="…").count() == 3
    assert overflowing_values() == []


def test_the_check_finds_a_value_longer_than_its_column(people, campaign):
    """SQLite stores an overlong value whole: the check above must see it (PostgreSQL would refuse it)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL refuses the value itself")
    lead = Lead.objects.create(email="x@example.com")
    Lead.objects.filter(pk=lead.pk).update(company="y" * 201)
    assert overflowing_values() == [("leads.Lead", "company", lead.pk, 201, 200)]
