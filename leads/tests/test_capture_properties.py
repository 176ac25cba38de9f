"""The merge rules of `capture_lead`, for any sequence of captures of one email through any door
(docs/how-relay-works.md, "Leads"): one lead whatever the case of the email, blanks never overwrite, the
first touch never changes, every capture leaves its event; through a trusted door the latest non-empty
value wins and the latest touch moves; through the anonymous public form only blanks are filled, and
what it would have replaced is kept as a submission with exactly those values."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from campaigns.tests.factories import CampaignFactory
from crm.tests.properties import WITH_DATABASE, rolled_back
from leads.models import CaptureSource, CompanySize, EventKind, FormSubmission, Lead, LeadEvent
from leads.services.capture import UNTRUSTED_SOURCES, capture_lead

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


def cleaned(value) -> str:
    return (value or "").strip()


@WITH_DATABASE
@given(st.lists(capture, min_size=1, max_size=8))
def test_any_sequence_of_captures_of_one_email_merges_by_the_rules(campaigns, captures):
    start = timezone.now()
    with rolled_back():
        expected = dict.fromkeys((*TEXT_FIELDS, "company_size"), "")
        first_touch = latest_touch = None
        for number, sent in enumerate(captures, start=1):
            campaign = None if sent["campaign"] is None else campaigns[sent["campaign"]]
            trusted = number == 1 or sent["source"] not in UNTRUSTED_SOURCES
            submissions_before = FormSubmission.objects.count()
            result = capture_lead(
                data={"email": sent["email"], **{k: v for k, v in sent["data"].items() if v is not None}},
                source=sent["source"],
                campaign=campaign,
                event_kind=sent["event_kind"],
                occurred_at=start + datetime.timedelta(minutes=number),
            )
            # What the rules say, worked out beside the code: trusted doors replace, the anonymous one fills.
            proposed = {}
            for name in expected:
                value = cleaned(sent["data"][name])
                if value and (trusted or not expected[name]):
                    expected[name] = value
                elif value and value != expected[name]:
                    proposed[name] = value
            if campaign is not None:
                first_touch = first_touch or campaign
                if trusted or latest_touch is None:
                    latest_touch = campaign
                elif latest_touch != campaign:
                    proposed["latest_touch_campaign"] = campaign.slug

            assert result.created == (number == 1)
            assert Lead.objects.count() == 1  # never duplicated, whatever the case of the email
            lead = Lead.objects.get()
            assert lead.email == captures[0]["email"]
            for name, value in expected.items():
                assert getattr(lead, name) == value, name
            assert lead.first_touch_campaign == first_touch
            assert lead.latest_touch_campaign == latest_touch
            assert lead.source_channel == (first_touch.channel if first_touch else "")
            assert lead.marketing_consent is False  # no door here gave an answer
            assert LeadEvent.objects.filter(lead=lead).count() == number  # no event lost
            # One pending submission per lead and campaign, holding what the latest capture would have changed.
            if proposed:
                kept = FormSubmission.objects.get(campaign=campaign, applied_at__isnull=True)
                assert kept.values == proposed
                assert FormSubmission.objects.count() in (submissions_before, submissions_before + 1)
            else:
                assert FormSubmission.objects.count() == submissions_before
