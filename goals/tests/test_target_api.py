from datetime import date

import pytest

from goals.models import Metric, Target
from goals.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/targets/"


def test_every_role_lists_targets_filtered_by_period_metric_and_rep(client_for, marketer, rep, other_rep):
    TargetFactory(period_start=date(2026, 12, 1), metric=Metric.REVENUE, rep=rep, value=40_000)
    TargetFactory(period_start=date(2026, 12, 1), metric=Metric.REVENUE, rep=other_rep, value=60_000)
    TargetFactory(period_start=date(2026, 11, 1), metric=Metric.MQLS, value=300)
    for user in (marketer, rep):
        client = client_for(user)
        assert client.get(URL).json()["count"] == 3
        mine = client.get(URL, {"period_start": "2026-12-01", "metric": "revenue", "rep": rep.pk}).json()["results"]
        assert [(t["rep"], t["value"]) for t in mine] == [(rep.pk, "40000.00")]
        assert client.get(URL, {"period_kind": "quarter"}).json()["count"] == 0


def test_a_manager_creates_changes_and_deletes_a_target(client_for, manager):
    client = client_for(manager)
    created = client.post(URL, {"period_start": "2026-12-01", "metric": "mqls", "channel": "email", "value": "80"})
    assert created.status_code == 201, created.json()
    assert created.json()["set_by"] == manager.pk
    detail = f"{URL}{created.json()['id']}/"
    assert client.patch(detail, {"value": "90"}, content_type="application/json").json()["value"] == "90.00"
    replaced = {"period_kind": "month", "period_start": "2026-12-01", "metric": "mqls", "channel": "", "value": "5"}
    assert client.put(detail, replaced, content_type="application/json").status_code == 200
    assert Target.objects.get().channel == ""
    assert client.delete(detail).status_code == 204
    assert not Target.objects.exists()
    assert Target.history.count() == 4


def test_reps_and_marketers_may_not_write_targets(client_for, marketer, rep):
    target = TargetFactory()
    for user in (marketer, rep):
        client = client_for(user)
        assert client.post(URL, {"period_start": "2026-12-01", "metric": "mqls", "value": "1"}).status_code == 403
        assert client.patch(f"{URL}{target.pk}/", {"value": "1"}, content_type="application/json").status_code == 403
        assert client.delete(f"{URL}{target.pk}/").status_code == 403
    assert Target.objects.get().value == 300


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"period_start": "2026-12-01", "metric": "mqls", "value": "-1"}, "value"),
        ({"period_start": "2026-12-15", "metric": "mqls", "value": "1"}, "period_start"),
        ({"period_kind": "quarter", "period_start": "2026-11-01", "metric": "mqls", "value": "1"}, "period_start"),
        ({"period_start": "2026-12-01", "metric": "revenue", "channel": "email", "value": "1"}, "channel"),
        ({"period_start": "2026-12-01", "metric": "speed", "value": "1"}, "metric"),
    ],
)
def test_an_invalid_target_is_answered_400_naming_the_field(client_for, manager, payload, field):
    response = client_for(manager).post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Target.objects.exists()


def test_a_rep_quota_on_another_metric_is_a_400(client_for, manager, rep):
    payload = {"period_start": "2026-12-01", "metric": "mqls", "rep": rep.pk, "value": "1"}
    response = client_for(manager).post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert "rep" in response.json()


def test_a_second_target_for_the_same_period_and_metric_is_a_400_not_a_500(client_for, manager, rep):
    TargetFactory(period_start=date(2026, 12, 1), metric=Metric.REVENUE, rep=rep, value=10)
    other = TargetFactory(period_start=date(2026, 12, 1), metric=Metric.REVENUE, value=10)
    client = client_for(manager)
    payload = {"period_start": "2026-12-01", "metric": "revenue", "rep": rep.pk, "value": "20"}
    created = client.post(URL, payload, content_type="application/json")
    assert created.status_code == 400
    assert "already has this target" in created.json()["metric"][0]
    moved = client.patch(f"{URL}{other.pk}/", {"rep": rep.pk}, content_type="application/json")
    assert moved.status_code == 400
    assert Target.objects.get(pk=other.pk).rep is None
