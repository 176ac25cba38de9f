import datetime
from dataclasses import replace
from decimal import Decimal

import pytest

from reports import feedback
from reports.filters import ReportFilters

from .conftest import FORMULA_NAME

pytestmark = pytest.mark.django_db

OCT = ReportFilters(date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31), preset="custom")


def counts(pivot):
    return {group["label"]: {k: v for k, v in group["counts"].items() if v} for group in pivot["groups"]}


def test_mql_rejection_reasons_by_campaign_and_channel(funnel_data):
    assert counts(feedback.rejection_reasons(OCT)) == {FORMULA_NAME: {"no_budget": 1, "not_a_fit": 1}}
    assert counts(feedback.rejection_reasons(OCT, "channel")) == {"Paid search": {"no_budget": 1, "not_a_fit": 1}}


def test_deal_loss_reasons_leave_out_rejected_mqls(funnel_data):
    assert counts(feedback.loss_reasons(OCT)) == {"Spring webinar": {"price": 1}, FORMULA_NAME: {"competitor": 1}}
    assert counts(feedback.loss_reasons(OCT, "channel")) == {
        "Events / webinar": {"price": 1},
        "Paid search": {"competitor": 1},
    }


def test_stacked_chart_has_one_dataset_per_reason_that_occurs(funnel_data):
    chart = feedback.rejection_reasons(OCT)["chart"]
    assert chart["labels"] == [FORMULA_NAME]
    assert {(d["label"], tuple(d["data"])) for d in chart["datasets"]} == {("No budget", (1,)), ("Not a fit", (1,))}


def test_acceptance_rate_per_campaign(funnel_data):
    rows = {row["label"]: row for row in feedback.acceptance_by_campaign(OCT)}
    assert (rows["Spring webinar"]["accepted"], rows["Spring webinar"]["rejected"]) == (2, 0)
    assert rows["Spring webinar"]["acceptance_rate"] == Decimal(1)
    assert rows[FORMULA_NAME]["acceptance_rate"] == Decimal(0)


def test_latest_sales_notes_are_the_three_newest_per_campaign_by_reps_only(funnel_data):
    notes = {entry["label"]: [note["body"] for note in entry["notes"]] for entry in feedback.latest_sales_notes(OCT)}
    assert notes == {
        "Spring webinar": ["Follow-up 14", "Follow-up 13", "Follow-up 12"],
        FORMULA_NAME: ["=SUM(1+1) no budget this year"],
    }


def test_a_reps_feedback_covers_only_their_answers_deals_and_leads(funnel_data, rep):
    mine = replace(OCT, owner_id=rep.pk)
    assert feedback.rejection_reasons(mine)["groups"] == []
    assert counts(feedback.loss_reasons(mine)) == {"Spring webinar": {"price": 1}}
    assert [row["label"] for row in feedback.acceptance_by_campaign(mine)] == ["Spring webinar"]
    assert [entry["label"] for entry in feedback.latest_sales_notes(mine)] == ["Spring webinar"]


def test_an_empty_period_has_no_feedback(funnel_data):
    empty = ReportFilters(date_from=datetime.date(2025, 1, 1), date_to=datetime.date(2025, 1, 31))
    assert feedback.rejection_reasons(empty)["groups"] == []
    assert feedback.acceptance_by_campaign(empty) == []
    assert feedback.latest_sales_notes(empty) == []
