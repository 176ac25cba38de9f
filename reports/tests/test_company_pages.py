"""The company list, the company page, creating, editing and merging companies, and linking people to them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, CompanyMerge, CompanySize
from companies.tests.factories import CompanyDomainFactory, CompanyFactory
from deals.models import Activity, DealStageChange
from deals.tests.factories import ActivityFactory, DealFactory, stage_named
from leads.models import LeadStageChange
from leads.tests.factories import LeadEventFactory, LeadFactory, LeadNoteFactory

pytestmark = pytest.mark.django_db


def listed(client, **params) -> list[str]:
    response = client.get(reverse("companies:list"), params)
    assert response.status_code == 200
    return [company.name for company in response.context["page"].rows]


# --- The list -----------------------------------------------------------------------------------------


def test_the_list_searches_names_domains_and_other_names(client_for, rep):
    CompanyFactory(name="Acme")
    CompanyDomainFactory(company=CompanyFactory(name="Globex"), domain="globex-corp.com")
    CompanyFactory(name="Initech", aliases=["Initrode"])
    client = client_for(rep)
    assert listed(client, q="acm") == ["Acme"]
    assert listed(client, q="globex-corp") == ["Globex"]
    assert listed(client, q="initrode") == ["Initech"]


def test_the_list_filters_by_what_the_company_is_and_its_rollups(client_for, rep, other_rep):
    CompanyFactory(name="Big", industry="Software", size_band=CompanySize.S1001_5000, country="Germany", owner=rep)
    CompanyFactory(name="Dealing", open_deals=2, account_score=80, top_stage_rank=5)
    CompanyFactory(name="Quiet", account_score=10, top_stage_rank=0, owner=other_rep)
    client = client_for(rep)
    assert listed(client, industry="software") == ["Big"]
    assert listed(client, size="1001-5000") == ["Big"]
    assert listed(client, country="germany") == ["Big"]
    assert listed(client, owner=rep.pk) == ["Big"]
    assert listed(client, has_open_deal="true") == ["Dealing"]
    assert sorted(listed(client, has_open_deal="false")) == ["Big", "Quiet"]
    assert listed(client, score_min=50) == ["Dealing"]
    assert listed(client, score_min=5, score_max=20) == ["Quiet"]
    assert listed(client, top_stage="5") == ["Dealing"]
    assert sorted(listed(client, top_stage="0")) == ["Big", "Quiet"]


def test_the_list_sorts_by_each_rollup_and_by_name(client_for, rep):
    CompanyFactory(name="beta", account_score=5, open_pipeline=300, won_revenue=1, people_count=9)
    CompanyFactory(name="Alpha", account_score=50, open_pipeline=100, won_revenue=3, people_count=1)
    CompanyFactory(name="Gamma", account_score=20, open_pipeline=200, won_revenue=2, people_count=5)
    client = client_for(rep)
    assert listed(client) == ["Alpha", "Gamma", "beta"]  # account score first by default
    assert listed(client, sort="pipeline") == ["beta", "Gamma", "Alpha"]
    assert listed(client, sort="revenue") == ["Alpha", "Gamma", "beta"]
    assert listed(client, sort="people") == ["beta", "Gamma", "Alpha"]
    assert listed(client, sort="name") == ["Alpha", "beta", "Gamma"]


def test_a_filter_value_the_page_refuses_is_ignored_not_a_500(client_for, rep):
    CompanyFactory(name="Acme")
    assert listed(client_for(rep), score_min="lots", top_stage="99", sort="nonsense", page="x") == ["Acme"]


def test_the_list_pages_by_25_and_says_how_many(client_for, rep):
    Company.objects.bulk_create([Company(name=f"Co {n:02}", name_key=f"co {n:02}") for n in range(30)])
    client = client_for(rep)
    first = client.get(reverse("companies:list"), {"sort": "name"})
    assert len(first.context["page"].rows) == 25
    assert "30 companies" in first.content.decode()
    assert listed(client, sort="name", page=2) == [f"Co {n}" for n in range(25, 30)]


def test_the_list_reads_a_constant_number_of_queries(client_for, rep, django_assert_num_queries):
    for n in range(30):
        company = CompanyFactory(owner=rep)
        CompanyDomainFactory(company=company, domain=f"c{n}.com")
    client = client_for(rep)
    client.get(reverse("companies:list"))  # the session and the user's roles are read once
    # session, user, groups, companies, their domains, the count, the owner filter's choices, the menu's two badges
    with django_assert_num_queries(9):
        assert client.get(reverse("companies:list")).status_code == 200


def test_an_empty_list_says_how_companies_arrive(client_for, marketer):
    html = client_for(marketer).get(reverse("companies:list")).content.decode()
    assert "No companies yet." in html
    assert "Add a company" in html


def test_every_role_finds_companies_in_the_menu(client_for, marketer, rep, manager):
    for user in (marketer, rep, manager):
        assert ">Companies</a>" in client_for(user).get("/").content.decode()


# --- The page -----------------------------------------------------------------------------------------


def test_the_page_totals_open_won_and_lost_deals_live(client_for, rep):
    company = CompanyFactory(name="Acme", open_pipeline=0)  # stale roll-up: the page does not read it
    DealFactory(account=company, amount=Decimal("100.50"), stage=stage_named("Qualification"))
    DealFactory(account=company, amount=Decimal("200.25"), stage=stage_named("Proposal"))
    DealFactory(account=company, amount=Decimal("1000"), stage=stage_named("Closed won"))
    DealFactory(account=company, amount=Decimal("70"), stage=stage_named("Closed lost"))
    DealFactory(amount=Decimal("999"))  # another company's
    response = client_for(rep).get(reverse("companies:detail", args=[company.pk]))
    totals = response.context["totals"]
    assert (totals["open_count"], totals["open_amount"]) == (2, Decimal("300.75"))
    assert (totals["won_count"], totals["won_amount"]) == (1, Decimal("1000"))
    assert (totals["lost_count"], totals["lost_amount"]) == (1, Decimal("70"))
    assert [deal.stage.kind for deal in response.context["deals"]][:2] == ["open", "open"]


def test_the_timeline_merges_everyone_newest_first(client_for, rep):
    company = CompanyFactory()
    now = timezone.now()
    dana, eli = LeadFactory(account=company, first_name="Dana"), LeadFactory(account=company, first_name="Eli")
    LeadEventFactory(lead=dana, occurred_at=now - timedelta(hours=5))
    LeadNoteFactory(lead=eli, body="Budget in Q1", created_at=now - timedelta(hours=4))
    LeadStageChange.objects.create(lead=dana, from_stage="lead", to_stage="mql", at=now - timedelta(hours=3))
    deal = DealFactory(account=company, title="Acme pilot")
    ActivityFactory(deal=deal, subject="Kick-off", at=now - timedelta(hours=2), kind=Activity.Kind.MEETING)
    DealStageChange.objects.create(deal=deal, from_name="Qualification", to_name="Demo", at=now - timedelta(hours=1))
    LeadEventFactory(lead=LeadFactory(), occurred_at=now)  # someone of another company
    timeline = client_for(rep).get(reverse("companies:detail", args=[company.pk])).context["timeline"]
    assert [entry.kind for entry in timeline] == ["deal", "activity", "stage", "note", "event"]
    assert [entry.at for entry in timeline] == sorted((entry.at for entry in timeline), reverse=True)


def test_the_timeline_shows_50_entries_and_older_ones_on_request(client_for, rep):
    company = CompanyFactory()
    lead = LeadFactory(account=company, last_event_at=timezone.now())
    start = timezone.now() - timedelta(days=10)
    for n in range(60):
        LeadEventFactory(lead=lead, occurred_at=start + timedelta(minutes=n))
    client = client_for(rep)
    first = client.get(reverse("companies:detail", args=[company.pk])).context["timeline"]
    assert len(first) == 50 and first[0].at == start + timedelta(minutes=59)
    older = client.get(reverse("companies:detail", args=[company.pk]), {"before": first[-1].at.isoformat()})
    assert [entry.at for entry in older.context["timeline"]] == [start + timedelta(minutes=n) for n in range(9, -1, -1)]
    fragment = client.get(
        reverse("companies:detail", args=[company.pk]), {"before": first[-1].at.isoformat()}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.count('data-kind="event"') == 10 and "<html" not in fragment


def test_the_page_reads_a_constant_number_of_queries(client_for, manager, django_assert_num_queries):
    def world(size):
        company = CompanyFactory(name=f"Size {size}", owner=manager)
        CompanyDomainFactory(company=company)
        for _ in range(size):
            lead = LeadFactory(account=company, owner=manager)
            LeadEventFactory(lead=lead)
            LeadNoteFactory(lead=lead)
            deal = DealFactory(account=company, lead=lead)
            ActivityFactory(deal=deal)
        return company

    small, large = world(1), world(5)
    client = client_for(manager)
    client.get(reverse("companies:detail", args=[small.pk]))
    counts = []
    for company in (small, large):
        with django_assert_num_queries(19) as captured:  # 19: the people's emails
            client.get(reverse("companies:detail", args=[company.pk]))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_managers_see_the_merge_and_audit_history_others_do_not(client_for, marketer, manager):
    keep, other = CompanyFactory(name="Acme"), CompanyFactory(name="ACME Inc")
    client_for(marketer).post(reverse("companies:merge", args=[keep.pk]), {"merge": other.pk})
    html = client_for(manager).get(reverse("companies:detail", args=[keep.pk])).content.decode()
    assert 'data-testid="merges"' in html and "ACME Inc" in html
    assert 'data-testid="audit-trail"' in html
    html = client_for(marketer).get(reverse("companies:detail", args=[keep.pk])).content.decode()
    assert 'data-testid="merges"' not in html and 'data-testid="audit-trail"' not in html


def test_the_show_all_link_lists_the_companys_people(client_for, rep):
    company = CompanyFactory()
    for _ in range(26):
        LeadFactory(account=company)
    LeadFactory(email="elsewhere@example.com")
    client = client_for(rep)
    assert "Show all 26 people" in client.get(reverse("companies:detail", args=[company.pk])).content.decode()
    response = client.get(reverse("leads:lead_list"), {"company": company.pk})
    assert all(lead.account_id == company.pk for lead in response.context["page"].rows)
    assert response.context["count"].exact == 26


# --- Create, edit, merge ------------------------------------------------------------------------------


def test_a_marketer_creates_a_company_with_its_domains(client_for, marketer):
    response = client_for(marketer).post(
        reverse("companies:create"), {"name": "Globex", "add_domains": "https://www.Globex.com/about, globex.de"}
    )
    company = Company.objects.get(name="Globex")
    assert response.status_code == 302 and response["Location"] == company.get_absolute_url()
    assert sorted(company.domains.values_list("domain", flat=True)) == ["globex.com", "globex.de"]


def test_a_domain_of_another_company_is_refused_on_the_form(client_for, marketer):
    CompanyDomainFactory(company=CompanyFactory(name="Acme"), domain="acme.com")
    response = client_for(marketer).post(reverse("companies:create"), {"name": "Copy", "add_domains": "acme.com"})
    assert response.status_code == 200
    assert "acme.com belongs to Acme." in response.context["form"].errors["add_domains"][0]
    assert not Company.objects.filter(name="Copy").exists()


def test_a_rep_edits_their_own_company_only(client_for, rep, other_rep):
    own, others = CompanyFactory(name="Own", owner=rep), CompanyFactory(name="Theirs", owner=other_rep)
    client = client_for(rep)
    assert (
        client.post(reverse("companies:edit", args=[own.pk]), {"name": "Own Ltd", "owner": rep.pk}).status_code == 302
    )
    assert client.post(reverse("companies:edit", args=[others.pk]), {"name": "Mine now"}).status_code == 403
    assert Company.objects.get(pk=own.pk).name == "Own Ltd"
    assert Company.objects.get(pk=others.pk).name == "Theirs"
    assert client.get(reverse("companies:create")).status_code == 403


def test_editing_adds_and_removes_domains(client_for, manager):
    company = CompanyFactory(name="Acme")
    CompanyDomainFactory(company=company, domain="acme.com")
    client_for(manager).post(
        reverse("companies:edit", args=[company.pk]),
        {"name": "Acme", "add_domains": "acme.io", "remove_domains": ["acme.com"]},
    )
    assert list(company.domains.values_list("domain", flat=True)) == ["acme.io"]


def test_a_marketer_merges_a_duplicate_found_by_search(client_for, marketer):
    keep, other = CompanyFactory(name="Acme"), CompanyFactory(name="Acme Incorporated")
    CompanyDomainFactory(company=other, domain="acme-inc.com")
    person = LeadFactory(account=other)
    client = client_for(marketer)
    found = client.get(reverse("companies:merge", args=[keep.pk]), {"q": "acme-inc"}, HTTP_HX_REQUEST="true")
    assert "Acme Incorporated" in found.content.decode() and "<html" not in found.content.decode()
    confirm = client.get(reverse("companies:merge", args=[keep.pk]), {"merge": other.pk})
    assert 'data-testid="merge-confirm"' in confirm.content.decode()
    assert client.post(reverse("companies:merge", args=[keep.pk]), {"merge": other.pk}).status_code == 302
    assert not Company.objects.filter(pk=other.pk).exists()
    person.refresh_from_db()
    assert person.account_id == keep.pk
    assert CompanyMerge.objects.get(into=keep).merged_name == "Acme Incorporated"


def test_merging_a_company_into_itself_or_one_gone_says_why(client_for, marketer):
    keep = CompanyFactory(name="Acme")
    client = client_for(marketer)
    response = client.post(reverse("companies:merge", args=[keep.pk]), {"merge": keep.pk})
    assert response.status_code == 400 and "cannot be merged into itself" in response.content.decode()
    response = client.post(reverse("companies:merge", args=[keep.pk]), {"merge": 10**9})
    assert response.status_code == 400 and "No company has this id" in response.content.decode()


def test_a_rep_cannot_merge(client_for, rep):
    keep, other = CompanyFactory(owner=rep), CompanyFactory(owner=rep)
    assert client_for(rep).post(reverse("companies:merge", args=[keep.pk]), {"merge": other.pk}).status_code == 403
    assert Company.objects.filter(pk=other.pk).exists()


# --- Linking people -----------------------------------------------------------------------------------


def test_a_marketer_links_a_lead_found_by_domain_and_unlinks_it(client_for, marketer):
    old, new = CompanyFactory(name="Old", rollups_due=False), CompanyFactory(name="Globex", rollups_due=False)
    CompanyDomainFactory(company=new, domain="globex.com")
    lead = LeadFactory(account=old)
    client = client_for(marketer)
    found = client.get(reverse("leads:lead_company", args=[lead.pk]), {"q": "globex.com"})
    assert [company.name for company in found.context["candidates"]] == ["Globex"]
    client.post(reverse("leads:lead_company", args=[lead.pk]), {"company": new.pk})
    lead.refresh_from_db()
    assert lead.account_id == new.pk
    assert set(Company.objects.filter(rollups_due=True).values_list("name", flat=True)) == {"Old", "Globex"}
    assert "Globex" in client.get(lead.get_absolute_url()).content.decode()
    client.post(reverse("leads:lead_company", args=[lead.pk]), {"unlink": "1"})
    lead.refresh_from_db()
    assert lead.account is None


def test_linking_to_a_company_that_does_not_exist_is_a_400(client_for, marketer):
    lead = LeadFactory()
    response = client_for(marketer).post(reverse("leads:lead_company", args=[lead.pk]), {"company": 10**9})
    assert response.status_code == 400
    assert "No company has this id" in response.content.decode()


def test_a_marketer_unlinks_a_person_on_the_company_page_and_a_rep_cannot(client_for, marketer, rep):
    company = CompanyFactory(rollups_due=False)
    lead = LeadFactory(account=company)
    url = reverse("companies:unlink_person", args=[company.pk])
    assert client_for(rep).post(url, {"lead": lead.pk}).status_code == 403
    assert client_for(marketer).post(url, {"lead": lead.pk}).status_code == 302
    lead.refresh_from_db()
    company.refresh_from_db()
    assert lead.account is None and company.rollups_due
