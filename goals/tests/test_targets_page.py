from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.tests.factories import UserFactory
from goals.models import Metric, PeriodKind, Target
from goals.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

DECEMBER = {"kind": "month", "start": "2026-12-01"}


def edit_url(**params):
    return reverse("goals:edit") + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_every_role_reads_a_periods_targets_and_their_history(client_for, marketer, rep, manager):
    TargetFactory(period_start=date(2026, 12, 1), metric=Metric.REVENUE, rep=rep, value=40_000, set_by=manager)
    for user in (marketer, rep, manager):
        page = client_for(user).get(reverse("goals:targets"), DECEMBER)
        assert page.status_code == 200
        assert "Revenue (quota): " in page.content.decode()
        assert "$40,000" in page.content.decode()
        assert ("Set targets for December 2026" in page.content.decode()) is (user == manager)


def test_a_user_without_a_role_may_not_read_targets(client_for):
    assert client_for(UserFactory(username="nobody")).get(reverse("goals:targets")).status_code == 403


def test_only_managers_open_or_save_the_targets_form(client_for, marketer, rep):
    for user in (marketer, rep):
        client = client_for(user)
        assert client.get(reverse("goals:edit")).status_code == 403
        assert client.post(reverse("goals:edit"), {**DECEMBER, "mqls": "300"}).status_code == 403
    assert not Target.objects.exists()


def test_a_manager_sets_a_months_targets_on_one_form(client_for, manager, rep):
    form = {**DECEMBER, "mqls": "300", "mqls_email": "80", "sourced_pipeline": "60000", "revenue": "100000"}
    response = client_for(manager).post(reverse("goals:edit"), {**form, f"revenue_rep_{rep.pk}": "40000"})
    assert response.status_code == 302
    assert response["Location"] == reverse("goals:targets") + "?kind=month&start=2026-12-01"
    saved = {(t.metric, t.channel, t.rep_id): t.value for t in Target.objects.all()}
    assert saved == {
        ("mqls", "", None): 300,
        ("mqls", "email", None): 80,
        ("sourced_pipeline", "", None): 60_000,
        ("revenue", "", None): 100_000,
        ("revenue", "", rep.pk): 40_000,
    }
    page = client_for(manager).get(response["Location"]).content.decode()
    assert "no target → 300 MQLs" in page


def test_a_blank_field_removes_that_target(client_for, manager):
    TargetFactory(period_start=date(2026, 12, 1), metric=Metric.SOURCED_PIPELINE, value=50_000)
    client_for(manager).post(reverse("goals:edit"), {**DECEMBER, "mqls": "300", "sourced_pipeline": ""})
    assert list(Target.objects.values_list("metric", flat=True)) == ["mqls"]


def test_the_form_shows_the_periods_targets(client_for, manager):
    TargetFactory(period_start=date(2026, 12, 1), metric=Metric.MQLS, value=300)
    page = client_for(manager).get(edit_url(**DECEMBER)).content.decode()
    assert 'name="mqls" value="300"' in page


def test_copy_fills_the_form_from_the_previous_month_and_saves_nothing(client_for, manager, rep):
    TargetFactory(period_start=date(2026, 11, 1), metric=Metric.MQLS, value=250)
    TargetFactory(period_start=date(2026, 11, 1), metric=Metric.REVENUE, rep=rep, value=30_000)
    page = client_for(manager).get(edit_url(**DECEMBER, copy=1)).content.decode()
    assert 'name="mqls" value="250"' in page
    assert f'name="revenue_rep_{rep.pk}" value="30000.00"' in page
    assert "Filled from the previous month" in page
    assert not Target.objects.filter(period_start=date(2026, 12, 1)).exists()


def test_copy_of_a_quarter_reads_the_quarter_before(client_for, manager):
    TargetFactory(period_kind=PeriodKind.QUARTER, period_start=date(2026, 7, 1), metric=Metric.MQLS, value=900)
    TargetFactory(period_kind=PeriodKind.MONTH, period_start=date(2026, 9, 1), metric=Metric.MQLS, value=300)
    page = client_for(manager).get(edit_url(kind="quarter", start="2026-10-01", copy=1)).content.decode()
    assert 'name="mqls" value="900"' in page


def test_a_negative_value_or_a_start_not_on_the_first_is_refused_with_the_fields_error(client_for, manager):
    client = client_for(manager)
    negative = client.post(reverse("goals:edit"), {**DECEMBER, "mqls": "-5"})
    assert negative.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in negative.content.decode()
    mid_month = client.post(reverse("goals:edit"), {"kind": "month", "start": "2026-12-15", "mqls": "5"})
    assert mid_month.status_code == 400
    assert "A month starts on the first day of a month." in mid_month.content.decode()
    mid_quarter = client.post(reverse("goals:edit"), {"kind": "quarter", "start": "2026-11-01", "mqls": "5"})
    assert "A quarter starts on the first day of a quarter" in mid_quarter.content.decode()
    assert not Target.objects.exists()


def test_the_page_for_a_start_not_on_the_first_says_so(client_for, rep):
    page = client_for(rep).get(reverse("goals:targets"), {"kind": "month", "start": "2026-12-15"})
    assert page.status_code == 400
    assert "A month starts on the first day of a month." in page.content.decode()


def test_an_empty_period_says_what_to_do(client_for, rep, manager):
    assert "A manager sets them" in client_for(rep).get(reverse("goals:targets"), DECEMBER).content.decode()
    assert "copy last period" in client_for(manager).get(reverse("goals:targets"), DECEMBER).content.decode()


def test_the_sales_settings_page_links_to_the_targets(client_for, manager):
    page = client_for(manager).get(reverse("handoff:sales_settings")).content.decode()
    assert reverse("goals:targets") in page


def test_a_target_another_manager_saved_a_moment_before_is_a_form_error_not_a_500(client_for, manager):
    refusal = ValidationError({"metric": "This period already has this target: change that one instead."})
    with mock.patch("goals.views.set_targets", side_effect=refusal):
        response = client_for(manager).post(reverse("goals:edit"), {**DECEMBER, "mqls": "300"})
    assert response.status_code == 400
    assert "This period already has this target" in response.content.decode()


def test_copy_from_a_previous_period_without_targets_says_so(client_for, manager):
    page = client_for(manager).get(edit_url(**DECEMBER, copy=1)).content.decode()
    assert "The previous month has no targets to copy" in page
    assert "Filled from the previous month" not in page
