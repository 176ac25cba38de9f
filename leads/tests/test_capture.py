import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from leads.models import CaptureSource, EventKind, Lead, LeadEvent
from leads.services.capture import capture_lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def capture(email="ada@example.com", **data):
    options = {k: data.pop(k) for k in ("campaign", "consent", "occurred_at", "event_kind") if k in data}
    return capture_lead(data={"email": email, **data}, source=data.pop("source", CaptureSource.API), **options)


def test_a_new_email_creates_a_lead_and_records_the_event():
    result = capture(first_name="Ada", company="Analytical Engines")
    assert result.created
    assert result.lead.first_name == "Ada"
    assert result.event.lead == result.lead
    assert result.lead.last_event_at == result.event.occurred_at
    assert Lead.objects.count() == 1


def test_the_same_email_in_another_case_merges_into_the_same_lead():
    first = capture("Ada@Example.com", first_name="Ada")
    second = capture("ada@EXAMPLE.COM", last_name="Lovelace")
    assert not second.created
    assert second.lead.pk == first.lead.pk
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.email) == ("Ada", "Lovelace", "Ada@Example.com")
    assert LeadEvent.objects.filter(lead=lead).count() == 2


def test_blank_values_never_overwrite_known_ones():
    capture(first_name="Ada", company="Analytical Engines", phone="+44 20 1234")
    capture(first_name="", company="   ", phone=None)
    lead = Lead.objects.get()
    assert (lead.first_name, lead.company, lead.phone) == ("Ada", "Analytical Engines", "+44 20 1234")


def test_a_new_non_empty_value_replaces_the_old_one():
    capture(job_title="Engineer")
    capture(job_title="Head of Engineering")
    assert Lead.objects.get().job_title == "Head of Engineering"


def test_the_first_touch_campaign_is_kept_and_the_latest_touch_moves():
    first, second = CampaignFactory(channel="email"), CampaignFactory(channel="paid_search")
    capture(campaign=first)
    capture(campaign=second)
    lead = Lead.objects.get()
    assert lead.first_touch_campaign == first
    assert lead.source_channel == "email"
    assert lead.latest_touch_campaign == second


def test_an_event_from_the_past_does_not_move_the_latest_touch_or_last_event_time():
    now, recent, old = timezone.now(), CampaignFactory(), CampaignFactory()
    capture(campaign=recent, occurred_at=now)
    capture(campaign=old, occurred_at=now - datetime.timedelta(days=3))
    lead = Lead.objects.get()
    assert lead.latest_touch_campaign == recent
    assert lead.last_event_at == now


def test_consent_is_recorded_with_its_time_and_source_and_kept_when_not_asked(campaign):
    capture(campaign=campaign, consent=True, source=CaptureSource.API)
    capture(consent=None)
    lead = Lead.objects.get()
    assert lead.marketing_consent is True
    assert lead.consent_at is not None
    assert lead.consent_source == "API: spring-webinar"


def test_the_anonymous_door_cannot_set_consent(campaign):
    with pytest.raises(ValueError, match="double opt-in"):
        capture(campaign=campaign, consent=True, source=CaptureSource.WEB_FORM)
    assert not Lead.objects.exists()


def test_a_web_form_capture_records_a_form_submit_event(campaign):
    result = capture(source=CaptureSource.WEB_FORM, campaign=campaign)
    assert result.event.kind == EventKind.FORM_SUBMIT
    assert result.event.campaign == campaign
    assert result.lead.source == CaptureSource.WEB_FORM


def test_an_invalid_email_is_refused_with_a_field_error():
    with pytest.raises(ValidationError) as error:
        capture("not-an-email")
    assert "email" in error.value.message_dict
    assert not Lead.objects.exists()


def test_the_database_refuses_two_leads_with_the_same_email_in_different_case():
    LeadFactory(email="bob@example.com")
    with pytest.raises(IntegrityError):
        LeadFactory(email="BOB@example.com")


def test_a_capture_racing_an_insert_of_the_same_email_merges_instead_of_failing(monkeypatch):
    """Simulate the race: the look-up finds nothing, but the row exists by the time we insert."""
    existing = LeadFactory(email="race@example.com", first_name="First")
    from leads.services import capture

    real_filter = Lead.objects.select_for_update().with_email("x").__class__.first
    calls = {"n": 0}

    def first_misses_once(queryset):
        calls["n"] += 1
        return None if calls["n"] == 1 else real_filter(queryset)

    monkeypatch.setattr(type(Lead.objects.all()), "first", first_misses_once)
    result = capture.capture_lead(data={"email": "RACE@example.com", "company": "Winner"}, source="api")
    assert not result.created
    assert result.lead.pk == existing.pk
    assert Lead.objects.get().company == "Winner"
