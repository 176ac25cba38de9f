"""No stored code reaches a person: every reason and kind a lead's or a deal's timeline can hold is shown in
words (`score_reached_threshold` is "Score reached the MQL threshold", an "other" event says what it was)."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from crm.tests.factories import UserFactory
from deals.models import Activity, DealStageChange, LostReason, Stage
from deals.tests.factories import ActivityFactory, DealFactory, stage_named
from handoff.models import Handoff, RejectionReason
from leads.models import (
    CaptureSource,
    ConsentRequest,
    EventKind,
    FormSubmission,
    LeadStageChange,
    LifecycleStage,
    StageChangeReason,
)
from leads.tests.factories import LeadEventFactory, LeadFactory, LeadNoteFactory

pytestmark = pytest.mark.django_db

SNAKE_CASE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class ShownText(HTMLParser):
    """The text a person reads on a page: text nodes (not scripts or styles) and the attributes shown."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [value or "" for name, value in attrs if name in SHOWN_ATTRIBUTES]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def codes_shown(response) -> list[str]:
    assert response.status_code == 200
    parser = ShownText()
    parser.feed(response.content.decode())
    return sorted({match for part in parser.parts for match in SNAKE_CASE.findall(part)})


@pytest.fixture
def world(rep, other_rep, manager):
    """A lead with one of everything its timeline shows, and its deals."""
    campaign = CampaignFactory(name="Spring launch")
    lead = LeadFactory(first_name="Dana", last_name="Okafor", owner=rep, stage=LifecycleStage.OPPORTUNITY)
    for kind in EventKind.values:
        LeadEventFactory(lead=lead, kind=kind, campaign=campaign)
    for source in CaptureSource.values:
        LeadEventFactory(lead=lead, kind=EventKind.OTHER, properties={"source": source})
    reasons = [*StageChangeReason.values, *RejectionReason.values, "deal reopened", ""]
    for n, reason in enumerate(reasons):
        LeadStageChange.objects.create(
            lead=lead,
            from_stage=LifecycleStage.values[n % 8],
            to_stage=LifecycleStage.values[(n + 1) % 8],
            by=None if n % 2 else rep,
            reason=reason,
        )
    now = timezone.now()
    Handoff.objects.create(lead=lead, rep=rep, score=60, handed_at=now, due_at=now + timedelta(hours=24))
    Handoff.objects.create(
        lead=lead,
        round=2,
        rep=other_rep,
        previous_rep=rep,
        reassigned_at=now,
        score=70,
        handed_at=now,
        due_at=now,
        outcome=Handoff.Outcome.REJECTED,
        rejection_reason=RejectionReason.NOT_A_FIT,
    )
    LeadNoteFactory(lead=lead, author=manager)
    FormSubmission.objects.create(lead=lead, campaign=campaign, values={"job_title": "CTO", "company_size": "11-50"})
    FormSubmission.objects.create(lead=lead, values={"latest_touch_campaign": campaign.slug}, applied_at=now)
    ConsentRequest.objects.create(lead=lead, email=lead.email, confirmed_at=now)
    deal = DealFactory(lead=lead, owner=rep, stage=stage_named("Demo"))
    DealStageChange.objects.create(deal=deal, to_stage=deal.stage, to_name=deal.stage.name, by=None)
    for kind in Activity.Kind.values:
        ActivityFactory(deal=deal, kind=kind, by=None if kind == "note" else rep)
    lost = Stage.objects.get(kind=Stage.Kind.LOST, pipeline=deal.stage.pipeline)
    lost_deals = [DealFactory(lead=lead, owner=rep, stage=lost, lost_reason=reason) for reason in LostReason.values]
    return lead, deal, lost_deals


def test_a_leads_timeline_shows_every_reason_and_kind_in_words(client_for, manager, world):
    lead, _deal, _lost = world

    response = client_for(manager).get(lead.get_absolute_url())

    assert codes_shown(response) == []
    page = response.content.decode()
    assert "Score reached the MQL threshold" in page
    assert "Rejected by sales: not a fit" in page
    assert "Imported from a CSV file" in page
    assert ">Hand-over</span>" in page


def test_a_deals_page_shows_every_kind_and_reason_in_words(client_for, manager, world):
    _lead, deal, lost_deals = world
    client = client_for(manager)

    for shown in (deal, *lost_deals):
        assert codes_shown(client.get(shown.get_absolute_url())) == [], shown.get_lost_reason_display()


def test_every_rejection_a_rep_can_give_reads_as_words_on_the_leads_stage_change():
    assert set(RejectionReason.values) <= set(StageChangeReason.values)
    for reason in RejectionReason.values:
        assert StageChangeReason(reason).label.startswith("Rejected by sales")


def test_the_check_finds_a_code_among_words():
    parser = ShownText()
    parser.feed('<p data-x="not_shown">Stage: Lead → MQL · score_reached_threshold</p><script>a_b</script>')
    assert sorted({m for part in parser.parts for m in SNAKE_CASE.findall(part)}) == ["score_reached_threshold"]


def test_an_other_event_without_a_door_is_other_engagement(client_for, manager):
    lead = LeadFactory()
    LeadEventFactory(lead=lead, kind=EventKind.OTHER)
    UserFactory(role="Sales rep")

    page = client_for(manager).get(lead.get_absolute_url()).content.decode()

    assert "<strong>Other engagement</strong>" in page
    assert ">Other<" not in page
