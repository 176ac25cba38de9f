"""The bulk writers of imports and bench data: what goes in is what comes back, and constraints still hold."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.bulk_insert import insert_objects, instance_builder
from leads.models import CaptureSource, Lead, LeadEvent, LifecycleStage, email_key
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

AWKWARD = ["tab\there", "two\nlines", "carriage\rreturn", "back\\slash", "\\N", "", "Zoë “quoted” 'text'"]


def new_lead(**values):
    now = timezone.now()
    build = instance_builder(Lead, source=CaptureSource.IMPORT, stage=LifecycleStage.LEAD, created_at=now, lead_at=now)
    return build(email_key=email_key(values["email"]), **values)


def test_a_lead_without_its_email_key_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_objects([instance_builder(Lead, stage=LifecycleStage.LEAD)(email="keyless@example.com")])


def test_inserted_leads_get_their_keys_and_every_value_back_as_given():
    leads = [new_lead(email=f"bulk{i}@example.com", company=text) for i, text in enumerate(AWKWARD)]
    leads.append(new_lead(email="null@example.com", company="", consent_at=None, marketing_consent=True))
    insert_objects(leads)
    assert all(lead.pk and not lead._state.adding for lead in leads)
    stored = {lead.pk: lead for lead in Lead.objects.filter(pk__in=[lead.pk for lead in leads])}
    assert [stored[lead.pk].company for lead in leads] == [*AWKWARD, ""]
    last = stored[leads[-1].pk]
    assert last.marketing_consent is True and last.consent_at is None
    assert last.created_at == leads[-1].created_at and last.stage == LifecycleStage.LEAD


def test_properties_and_times_survive_the_trip():
    lead = LeadFactory()
    at = datetime(2026, 11, 30, 23, 59, 58, 123456, tzinfo=UTC)
    event = LeadEvent(lead=lead, kind="page_view", occurred_at=at, properties={"note": "a\tb\nc \\ d", "n": [1, 2]})
    insert_objects([event])
    stored = LeadEvent.objects.get(pk=event.pk)
    assert stored.occurred_at == at
    assert stored.properties == {"note": "a\tb\nc \\ d", "n": [1, 2]}


def test_a_duplicate_email_fails_the_whole_insert_with_djangos_integrity_error():
    LeadFactory(email="taken@example.com")
    before = Lead.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_objects([new_lead(email="fresh@example.com"), new_lead(email="TAKEN@example.com")])
    assert Lead.objects.count() == before


def test_keys_continue_after_the_inserted_ones():
    inserted = new_lead(email="first@example.com")
    insert_objects([inserted])
    later = LeadFactory()
    assert later.pk > inserted.pk
