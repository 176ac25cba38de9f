import pytest
from django.utils import timezone

from agenda.tests.factories import TaskFactory
from campaigns.tests.factories import CampaignFactory
from crm.people import display_name
from deals.tests.factories import ActivityFactory, DealFactory
from leads.models import ConsentRequest, FormSubmission, Lead, LeadNote, LeadStageChange, LifecycleStage
from leads.services.stages import change_stage
from leads.tests.factories import LeadEventFactory, LeadFactory, LeadNoteFactory
from outreach.models import EmailKind, EmailReply
from outreach.tests.factories import EmailFactory

pytestmark = pytest.mark.django_db


def emails(response):
    return [lead.email for lead in response.context["page"].rows]


# --- List ------------------------------------------------------------------------------------------


def test_the_list_searches_names_emails_and_companies(client_for, rep):
    LeadFactory(first_name="Grace", email="g@example.com", company="Navy")
    LeadFactory(first_name="Alan", email="alan@turing.example", company="Bletchley")
    client = client_for(rep)
    assert emails(client.get("/leads/", {"q": "grace"})) == ["g@example.com"]
    assert emails(client.get("/leads/", {"q": "TURING"})) == ["alan@turing.example"]
    assert emails(client.get("/leads/", {"q": "navy"})) == ["g@example.com"]


def test_the_list_filters_by_stage_campaign_owner_score_and_created_date(client_for, manager, rep):
    campaign = CampaignFactory()
    match = LeadFactory(stage="mql", score=60, first_touch_campaign=campaign, owner=rep)
    LeadFactory(stage="mql", score=20, first_touch_campaign=campaign, owner=rep)
    LeadFactory(stage="lead", score=60)
    LeadFactory(stage="mql", score=60, created_at=timezone.now() - timezone.timedelta(days=40), owner=rep)
    today = timezone.localdate().isoformat()
    response = client_for(manager).get(
        "/leads/",
        {
            "stage": "mql",
            "campaign": campaign.pk,
            "owner": rep.pk,
            "score_min": 50,
            "score_max": 90,
            "created_from": today,
            "created_to": today,
        },
    )
    assert emails(response) == [match.email]


def test_the_list_sorts_by_score_and_pages_with_a_cursor(client_for, rep):
    for score in range(30):
        LeadFactory(score=score, email=f"s{score}@example.com")
    client = client_for(rep)
    first = client.get("/leads/", {"sort": "score"})
    assert emails(first)[:3] == ["s29@example.com", "s28@example.com", "s27@example.com"]
    assert len(emails(first)) == 25
    second = client.get("/leads/", {"sort": "score", "after": first.context["page"].next_cursor})
    assert emails(second) == [f"s{score}@example.com" for score in range(4, -1, -1)]
    assert second.context["page"].next_cursor is None
    back = client.get("/leads/", {"sort": "score", "before": second.context["page"].previous_cursor})
    assert emails(back) == emails(first)


def test_the_count_is_exact_within_its_limit_and_not_beyond(client_for, rep):
    from leads import selectors

    LeadFactory.create_batch(5)
    assert selectors.exact_count(Lead.objects.all(), limit=5) == 5
    assert selectors.exact_count(Lead.objects.all(), limit=4) is None
    assert "5 leads" in client_for(rep).get("/leads/").content.decode()


def test_an_empty_list_offers_the_next_steps(client_for, marketer, campaign):
    page = client_for(marketer).get("/leads/").content.decode()
    assert "No leads yet." in page
    assert "/leads/new/" in page
    assert "/leads/import/" in page
    assert "/capture/spring-webinar/" in page


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_takes_the_same_number_of_queries_whatever_the_rows(
    client_for, manager, rows, django_assert_num_queries
):
    campaign = CampaignFactory()
    LeadFactory.create_batch(rows, first_touch_campaign=campaign, owner=manager)
    client = client_for(manager)
    # session, user, roles, page of leads, capped count, owner choices (filter + bulk form), campaigns
    with django_assert_num_queries(9):
        client.get("/leads/")


def test_a_manager_assigns_the_selected_leads_to_a_rep(client_for, manager, rep):
    picked, other = LeadFactory(), LeadFactory()
    response = client_for(manager).post(
        "/leads/bulk/", {"bulk-leads": [picked.pk], "bulk-action": "assign", "bulk-owner": rep.pk}, follow=True
    )
    assert "1 lead(s) assigned" in response.content.decode()
    picked.refresh_from_db()
    other.refresh_from_db()
    assert picked.owner == rep
    assert other.owner is None


def test_a_manager_changes_the_stage_of_selected_leads_and_each_move_is_recorded(client_for, manager):
    leads = LeadFactory.create_batch(2, stage="lead")
    client_for(manager).post(
        "/leads/bulk/",
        {
            "bulk-leads": [lead.pk for lead in leads],
            "bulk-action": "stage",
            "bulk-stage": "disqualified",
            "bulk-reason": "duplicate",
        },
    )
    assert set(Lead.objects.values_list("stage", flat=True)) == {"disqualified"}
    assert LeadStageChange.objects.filter(to_stage="disqualified", reason="duplicate", by=manager).count() == 2


def test_a_backward_bulk_move_without_a_reason_moves_nothing_and_says_why(client_for, manager):
    lead = LeadFactory(stage="customer")
    response = client_for(manager).post(
        "/leads/bulk/", {"bulk-leads": [lead.pk], "bulk-action": "stage", "bulk-stage": "lead"}, follow=True
    )
    assert "needs a reason" in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "customer"


# --- Detail ----------------------------------------------------------------------------------------------


def test_the_detail_shows_one_timeline_newest_first(client_for, rep):
    lead = LeadFactory(stage=LifecycleStage.MQL)
    now = timezone.now()
    LeadEventFactory(lead=lead, kind="webinar_attended", occurred_at=now - timezone.timedelta(days=3))
    change_stage(lead=lead, to=LifecycleStage.SQL, by=rep, at=now - timezone.timedelta(days=2))
    LeadNoteFactory(lead=lead, body="Budget approved", created_at=now - timezone.timedelta(days=1))
    deal = DealFactory(lead=lead, title="Big deal", created_at=now - timezone.timedelta(hours=12))
    ActivityFactory(deal=deal, subject="Discovery call", at=now)
    response = client_for(rep).get(f"/leads/{lead.pk}/")
    kinds = [entry.kind for entry in response.context["timeline"]]
    assert kinds == ["activity", "deal", "note", "stage", "event"]
    page = response.content.decode()
    assert "Discovery call" in page and "Budget approved" in page and "Webinar attended" in page


def test_a_task_done_on_the_lead_or_its_deal_shows_on_its_timeline(client_for, rep, manager):
    lead = LeadFactory()
    deal = DealFactory(lead=lead, title="Big deal")
    now = timezone.now()
    TaskFactory(deal=None, lead=lead, title="Call back", done_at=now - timezone.timedelta(hours=2), done_by=rep)
    TaskFactory(deal=deal, title="Send the contract", done_at=now - timezone.timedelta(hours=1), done_by=manager)
    TaskFactory(deal=None, lead=lead, title="Still open")
    TaskFactory(title="Done on another deal", done_at=now)
    timeline = client_for(rep).get(f"/leads/{lead.pk}/").context["timeline"]
    done = [(entry.title, entry.by, entry.url, entry.detail) for entry in timeline if entry.kind == "task"]
    assert done == [
        ("Task done: Send the contract", display_name(manager), deal.get_absolute_url(), "Deal: Big deal"),
        ("Task done: Call back", display_name(rep), lead.get_absolute_url(), ""),
    ]


def test_the_detail_explains_the_score_rule_by_rule(client_for, rep):
    lead = LeadFactory(score=40, job_title="VP Sales", company_size="", industry="", country="")
    LeadEventFactory(lead=lead, kind="demo_request")
    page = client_for(rep).get(f"/leads/{lead.pk}/").content.decode()
    assert "Job title contains VP: +15" in page and "+15" in page
    assert "Demo request ×1 (decayed)" in page and "+25.0" in page
    assert ">40<" in page


@pytest.mark.parametrize("rows", [2, 20])
def test_the_detail_takes_the_same_number_of_queries_whatever_the_history(
    client_for, rep, rows, django_assert_num_queries
):
    lead = LeadFactory()
    LeadEventFactory.create_batch(rows, lead=lead, campaign=CampaignFactory())
    LeadNoteFactory.create_batch(rows, lead=lead, author=rep)
    ActivityFactory.create_batch(rows, deal=DealFactory(lead=lead))
    TaskFactory.create_batch(rows, deal=None, lead=lead, done_at=timezone.now(), done_by=rep)
    for _ in range(rows):
        FormSubmission.objects.create(lead=lead, values={"company": "Newer Co"})
        ConsentRequest.objects.create(lead=lead, email=lead.email)
        email = EmailFactory(lead=lead, kind=EmailKind.MARKETING, unsubscribed_at=timezone.now())
        EmailReply.objects.create(email=email, message_id=f"<{email.token}@lead.example>", body="Thanks")
    client = client_for(rep)
    # session, user, roles, the menu's inbox count, lead, events, stage changes, notes, deals, activities,
    # public form submissions, consent requests, emails, replies to emails, unsubscribes from emails, tasks
    # done, the score explanation (settings, fit rules, points, events) and the hand-overs
    with django_assert_num_queries(22):
        client.get(f"/leads/{lead.pk}/")


def test_the_timeline_is_bounded_to_the_latest_hundred_entries(client_for, rep):
    lead = LeadFactory()
    LeadEventFactory.create_batch(120, lead=lead)
    assert len(client_for(rep).get(f"/leads/{lead.pk}/").context["timeline"]) == 100


def test_a_rep_adds_a_note_inline_with_htmx(client_for, rep):
    lead = LeadFactory()
    response = client_for(rep).post(
        f"/leads/{lead.pk}/notes/", {"body": "Asked for a call in March"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "Asked for a call in March" in html
    assert "HX-Request" in response["Vary"]
    assert LeadNote.objects.get().author == rep


def test_a_note_without_htmx_redirects_back_to_the_lead(client_for, rep):
    lead = LeadFactory()
    response = client_for(rep).post(f"/leads/{lead.pk}/notes/", {"body": "Plain post"})
    assert response["Location"] == f"/leads/{lead.pk}/"


# --- Create and edit -------------------------------------------------------------------------------------


def test_a_marketer_creates_a_lead_by_hand(client_for, marketer, campaign):
    response = client_for(marketer).post(
        "/leads/new/", {"email": "hand@example.com", "first_name": "Hana", "campaign": "spring-webinar"}
    )
    lead = Lead.objects.get()
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.source, lead.first_touch_campaign) == ("manual", campaign)


def test_entering_a_known_email_by_hand_merges_and_says_so(client_for, marketer):
    LeadFactory(email="known@example.com", company="Kept")
    response = client_for(marketer).post("/leads/new/", {"email": "Known@example.com", "first_name": "K"}, follow=True)
    assert "already a lead" in response.content.decode()
    assert Lead.objects.get().company == "Kept"


def test_editing_a_lead_can_clear_a_field_and_records_a_consent_change(client_for, marketer):
    lead = LeadFactory(phone="123", marketing_consent=False)
    data = {"email": lead.email, "first_name": lead.first_name, "phone": "", "marketing_consent": "on"}
    response = client_for(marketer).post(f"/leads/{lead.pk}/edit/", data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.phone == ""
    assert lead.marketing_consent and lead.consent_at is not None


def test_editing_to_an_email_another_lead_has_shows_an_error(client_for, marketer):
    LeadFactory(email="taken@example.com")
    lead = LeadFactory()
    response = client_for(marketer).post(f"/leads/{lead.pk}/edit/", {"email": "TAKEN@example.com"})
    assert response.status_code == 200
    assert "A lead with this email already exists" in response.content.decode()
