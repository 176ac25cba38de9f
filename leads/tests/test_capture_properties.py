"""The merge rules of `capture_lead`, for any sequence of captures of one email (README "Leads"): one lead
whatever the case of the email, blanks never overwrite, the latest non-empty value wins, the first touch
never changes, the latest touch moves, and every capture leaves its event."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from campaigns.tests.factories import CampaignFactory
from crm.tests.properties import WITH_DATABASE, rolled_back
from leads.models import CaptureSource, CompanySize, EventKind, Lead, LeadEvent
from leads.services import capture_lead

EMAIL = "Ada.Lovelace@Example.com"
TEXT_FIELDS = ("first_name", "last_name", "phone", "company", "job_title", "industry", "country")

# Mostly blanks (missing, empty or spaces) so that "blanks never overwrite" is tested as often as a change.
blank = st.sampled_from([None, "", "  ", "\t"])
value = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20).filter(str.strip)
field_value = st.one_of(blank, value)
email_in_any_case = st.lists(st.booleans(), min_size=len(EMAIL), max_size=len(EMAIL)).map(
    lambda upper: "".join(c.upper() if up else c.lower() for c, up in zip(EMAIL, upper, strict=True))
)
capture = st.fixed_dictionaries(
    {
        "email": email_in_any_case,
        "data": st.fixed_dictionaries(
            dict.fromkeys(TEXT_FIELDS, field_value)
            | {"company_size": st.one_of(blank, st.sampled_from(CompanySize.values))}
        ),
        "campaign": st.sampled_from([None, 0, 1, 2]),  # index into the campaigns below
        "source": st.sampled_from(CaptureSource.values),
        "event_kind": st.one_of(st.none(), st.sampled_from(EventKind.values)),
    }
)


@pytest.fixture
def campaigns(db):
    return [CampaignFactory(slug=f"touch-{n}") for n in range(3)]


def latest_non_empty(captures, name):
    values = [(c["data"][name] or "").strip() for c in captures]
    return next((v for v in reversed(values) if v), "")


@WITH_DATABASE
@given(st.lists(capture, min_size=1, max_size=8))
def test_any_sequence_of_captures_of_one_email_merges_by_the_rules(campaigns, captures):
    start = timezone.now()
    with rolled_back():
        for number, sent in enumerate(captures, start=1):
            campaign = None if sent["campaign"] is None else campaigns[sent["campaign"]]
            result = capture_lead(
                data={"email": sent["email"], **{k: v for k, v in sent["data"].items() if v is not None}},
                source=sent["source"],
                campaign=campaign,
                event_kind=sent["event_kind"],
                occurred_at=start + datetime.timedelta(minutes=number),
            )
            so_far = captures[:number]
            assert result.created == (number == 1)
            assert Lead.objects.count() == 1  # never duplicated, whatever the case of the email
            lead = Lead.objects.get()
            assert lead.email == captures[0]["email"]
            # Blanks never overwrite; the latest non-empty value wins (so no non-empty field becomes empty).
            for name in (*TEXT_FIELDS, "company_size"):
                assert getattr(lead, name) == latest_non_empty(so_far, name), name
            touches = [campaigns[c["campaign"]] for c in so_far if c["campaign"] is not None]
            assert lead.first_touch_campaign == (touches[0] if touches else None)
            assert lead.latest_touch_campaign == (touches[-1] if touches else None)
            assert lead.source_channel == (touches[0].channel if touches else "")
            assert LeadEvent.objects.filter(lead=lead).count() == number  # no event lost
