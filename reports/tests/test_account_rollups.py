"""Company roll-ups (reports.accounts.rollups): hand-built companies whose every figure is worked out here."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from companies.models import AccountSettings, Company, CompanyFitRule
from deals.services import move_deal, update_deal
from deals.tests.factories import DealFactory, stage_named
from leads.models import EventKind, LifecycleStage
from leads.scoring.queue import score_requested
from leads.services.stages import change_stage
from leads.tests.factories import LeadEventFactory, LeadFactory
from reports.accounts.rollups import refresh_companies, refresh_due
from reports.tasks import refresh_account_rollups

pytestmark = pytest.mark.django_db


def refreshed(company: Company) -> Company:
    refresh_companies(Company.objects.filter(pk=company.pk))
    company.refresh_from_db()
    return company


@pytest.fixture
def acme():
    """Acme: three people and four deals.
    - Ann: engagement 12.5, an MQL who went on to SQL and an opportunity (opportunity_at set), now nurture;
    - Bob: engagement 4, a lead;
    - Cat: engagement 10, disqualified straight from lead (reached lead only).
    Deals: 1,000 in Qualification and 2,500.50 in Proposal (open), 7,000 Closed won, 9,999 Closed lost."""
    acme = Company.objects.create(name="Acme", industry="Software", size_band="51-200", country="DE")
    LeadFactory(
        account=acme,
        engagement_score=12.5,
        stage=LifecycleStage.NURTURE,
        mql_at="2026-10-02T09:00Z",
        sql_at="2026-10-03T09:00Z",
        opportunity_at="2026-10-04T09:00Z",
    )
    LeadFactory(account=acme, engagement_score=4, stage=LifecycleStage.LEAD)
    LeadFactory(account=acme, engagement_score=10, stage=LifecycleStage.DISQUALIFIED)
    DealFactory(account=acme, amount=Decimal("1000"), stage=stage_named("Qualification"))
    DealFactory(account=acme, amount=Decimal("2500.50"), stage=stage_named("Proposal"))
    DealFactory(account=acme, amount=Decimal("7000"), stage=stage_named("Closed won"))
    DealFactory(account=acme, amount=Decimal("9999"), stage=stage_named("Closed lost"))
    return acme


def test_rollups_add_up_people_and_deals(acme):
    AccountSettings.objects.update_or_create(pk=1, defaults={"engaged_person_points": 10})
    acme = refreshed(acme)
    assert acme.people_count == 3
    assert acme.engaged_people == 2  # Ann (12.5) and Cat (10): at or above 10 points
    assert acme.engagement_score == pytest.approx(26.5)
    assert acme.open_deals == 2
    assert acme.open_pipeline == Decimal("3500.50")
    assert acme.won_revenue == Decimal("7000.00")
    assert acme.fit_score == 0
    assert acme.account_score == pytest.approx(26.5)
    assert acme.rollups_due is False and acme.rollups_at is not None


def test_top_stage_is_the_furthest_any_person_reached_side_exits_included(acme):
    assert refreshed(acme).top_stage_rank == 5  # Ann reached opportunity before she went to nurture


def test_top_stage_of_a_customer_is_six_and_of_a_company_without_people_zero(acme):
    LeadFactory(account=acme, stage=LifecycleStage.CUSTOMER)
    empty = Company.objects.create(name="Nobody yet")
    assert refreshed(acme).top_stage_rank == 6
    assert refreshed(empty).top_stage_rank == 0
    assert empty.people_count == 0 and empty.open_pipeline == 0 and empty.account_score == 0


def test_fit_rules_add_to_the_account_score(acme):
    CompanyFitRule.objects.create(field="industry", operator="contains", value="soft", points=20)
    CompanyFitRule.objects.create(field="size_band", operator="at_least", value="11-50", points=5)
    CompanyFitRule.objects.create(field="country", operator="in", value="US, GB", points=7)  # not DE
    CompanyFitRule.objects.create(field="people_count", operator="at_least", value="3", points=3)
    acme = refreshed(acme)
    assert acme.fit_score == 28
    assert acme.account_score == pytest.approx(26.5 + 28)


def test_the_beat_task_refreshes_due_companies_and_clears_the_flag(acme):
    other = Company.objects.create(name="Other")
    computed = timezone.now() - datetime.timedelta(hours=1)
    Company.objects.filter(pk=other.pk).update(rollups_due=False, rollups_at=computed)
    assert refresh_account_rollups.delay().get() == 1
    acme.refresh_from_db()
    other.refresh_from_db()
    assert (acme.people_count, acme.rollups_due) == (3, False)
    assert other.rollups_at == computed  # not due: not touched
    assert settings.CELERY_BEAT_SCHEDULE["refresh-account-rollups"] == {
        "task": "reports.refresh_account_rollups",
        "schedule": 60.0,
    }


def test_due_companies_are_refreshed_in_batches(acme):
    more = [Company.objects.create(name=f"Company {n}") for n in range(4)]
    assert refresh_due(batch_size=2, batches=1) == 2
    assert Company.objects.filter(rollups_due=True).count() == 3
    assert refresh_due(batch_size=2) == 3
    assert not Company.objects.filter(rollups_due=True).exists()
    assert len(more) == 4


def test_a_failing_batch_stays_due(acme, monkeypatch):
    def broken(companies, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("reports.accounts.rollups.refresh_companies", broken)
    with pytest.raises(RuntimeError):
        refresh_due()
    acme.refresh_from_db()
    assert acme.rollups_due is True


def test_a_batch_whose_worker_died_after_claiming_it_is_taken_again(acme, monkeypatch):
    """The sweep clears the flag before computing; a worker killed in between (no exception handler runs)
    leaves the batch without `rollups_at`, and the next sweep computes it."""

    class WorkerKilled(BaseException):
        pass

    def killed(companies, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr("reports.accounts.rollups.refresh_companies", killed)
    with pytest.raises(WorkerKilled):
        refresh_due()
    monkeypatch.undo()
    acme.refresh_from_db()
    assert acme.rollups_at is None
    assert refresh_due() == 1
    acme.refresh_from_db()
    assert acme.rollups_at is not None and acme.rollups_due is False


def not_due(*companies):
    Company.objects.filter(pk__in=[c.pk for c in companies]).update(rollups_due=False)


def is_due(company) -> bool:
    company.refresh_from_db()
    return company.rollups_due


def test_a_new_score_marks_the_persons_company_due(django_capture_on_commit_callbacks):
    acme, other = Company.objects.create(name="Acme"), Company.objects.create(name="Other")
    person = LeadFactory(account=acme)
    LeadFactory(account=other, scored_at=timezone.now())  # scored: not in this run
    LeadEventFactory(lead=person, kind=EventKind.DEMO_REQUEST)
    not_due(acme, other)
    with django_capture_on_commit_callbacks(execute=True):
        score_requested(limit=10)
    assert is_due(acme) and not is_due(other)
    refresh_due()
    acme.refresh_from_db()
    assert acme.engagement_score == pytest.approx(25, abs=0.1)


def test_a_stage_change_marks_the_company_due():
    acme = Company.objects.create(name="Acme")
    person = LeadFactory(account=acme)
    not_due(acme)
    change_stage(lead=person, to=LifecycleStage.MQL)
    assert is_due(acme)


def test_moving_and_repricing_a_deal_mark_its_company_due(rep):
    acme = Company.objects.create(name="Acme")
    deal = DealFactory(account=acme, owner=rep)
    not_due(acme)
    deal = move_deal(deal=deal, to_stage=stage_named("Closed won"), by=rep)
    assert is_due(acme)
    not_due(acme)
    update_deal(deal=deal, by=rep, amount=Decimal("12.00"))
    assert is_due(acme)
    refresh_due()
    acme.refresh_from_db()
    assert acme.won_revenue == Decimal("12.00")


def test_a_mark_made_while_a_refresh_ran_is_made_again_after_the_commit(django_capture_on_commit_callbacks):
    acme = Company.objects.create(name="Acme")
    with django_capture_on_commit_callbacks(execute=True):
        from companies.services import mark_rollups_due

        mark_rollups_due([acme.pk])  # already due: nothing written now
        not_due(acme)  # a refresh clears the flag before this transaction commits
    assert is_due(acme)
