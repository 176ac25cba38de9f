"""The fast validation of ingested events (`clean_events`) agrees with EventSerializer on every item it decides,
and leaves every item the serializer refuses to the serializer, which alone writes error messages."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from crm.tests.properties import QUICK
from leads.models import EventKind, LeadEvent
from leads.serializers import EventSerializer, clean_events
from leads.tests.factories import LeadFactory


def serializer_result(item):
    """What the view got for an item before the fast path: the validated dict, or None when refused."""
    try:
        return EventSerializer().run_validation(item)
    except ValidationError:
        return None


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
# Text with what CharField trims or refuses: spaces around, null characters, surrogates, non-breaking spaces.
awkward_text = st.one_of(
    st.text(st.characters(codec=None), max_size=12),
    st.tuples(st.sampled_from([" ", "\n", ""]), st.text(max_size=8), st.sampled_from([" ", "\t", ""])).map("".join),
    st.sampled_from(["", " ", " a", "a ", "\t", "a\x00b", "\ud800", "a\u00a0", "\u00a0", "x" * 100, "x" * 101]),
)
offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
# Naive or aware, years 1 to 9999: in another time zone the extremes overflow.
moments = st.datetimes(timezones=st.none() | offsets)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)

# What integrations send. Some of it is refused all the same (an email Django finds invalid, a naive time
# in a daylight-saving gap), which is fine: the property holds for every item.
WELL_FORMED = {
    "lead": st.integers(min_value=1, max_value=2**63 - 1),
    "email": st.emails(),
    "kind": st.sampled_from(EventKind.values),
    "occurred_at": st.one_of(moments.map(datetime.datetime.isoformat), st.just("2026-11-01T10:00:00Z")),
    "campaign": st.one_of(st.from_regex(r"\A[-a-zA-Z0-9_]{1,12}\Z"), st.just("")),
    "properties": st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    "external_id": st.text(max_size=100),
}
MISSING = object()
# Per field, what a careless integration sends instead: other types, look-alikes, blanks, limits.
MALFORMED = {
    "lead": st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=2**63),
        st.integers(min_value=1).map(str),
        st.sampled_from([True, False, 7.0, 7.5, "7.0", " 7 ", "", "1e3"]),
        junk,
    ),
    "email": st.one_of(
        st.emails().map(lambda email: f" {email.upper()} "),
        st.sampled_from(["p@localhost", "p@[127.0.0.1]", "not-an-email", "p@", "@example.com", "p@example.com\n"]),
        awkward_text,
        junk,
    ),
    "kind": st.one_of(
        st.sampled_from(EventKind.values).map(str.upper),
        st.sampled_from(EventKind.values).map(lambda kind: f" {kind}"),
        st.sampled_from(["", "dance", "Page view", EventKind.PAGE_VIEW, "page_view\x00"]),
        junk,
    ),
    "occurred_at": st.one_of(
        moments.map(lambda moment: moment.isoformat(sep=" ", timespec="minutes")),
        st.sampled_from(["2026-11-01T10:00:00.5+02:00", "2026-03-08T02:30:00", "20261101T100000Z", "2026-1-1T10:00"]),
        st.sampled_from(["2026-11-01", "2026-11-01T25:00", " 2026-11-01T10:00Z", "0001-01-01T00:30+01:00", "now"]),
        moments,
        junk,
    ),
    "campaign": st.one_of(
        st.sampled_from(["spring-webinar\n", " spring", "spring webinar", "été", "x" * 60]),
        awkward_text,
        junk,
    ),
    "properties": st.one_of(
        st.sampled_from([{"blob": "x" * 5000}, {"when": datetime.date(2026, 11, 1)}, {"n": float("nan")}]),
        json_values,
    ),
    "external_id": st.one_of(awkward_text, st.integers(), junk),
}


@st.composite
def event_items(draw):
    """A well-formed item (kind, and lead, email, both or neither), with at most one field spoiled or removed,
    and sometimes keys the serializer does not know."""
    optional = {name: values for name, values in WELL_FORMED.items() if name != "kind"}
    item = draw(st.fixed_dictionaries({"kind": WELL_FORMED["kind"]}, optional=optional))
    if draw(st.booleans()):
        name = draw(st.sampled_from(list(MALFORMED)))
        value = draw(st.one_of(MALFORMED[name], st.just(MISSING)))
        if value is MISSING:
            item.pop(name, None)
        else:
            item[name] = value
    item.update(draw(st.dictionaries(st.sampled_from(["index", "source", "Lead", ""]), junk, max_size=2)))
    return item


def exactly(event):
    """The dict as (key, type, value, time zone) in order, so that 1 and True, or two zones of one instant, differ."""
    return [(name, type(value), value, getattr(value, "tzinfo", None)) for name, value in event.items()]


# Many fields with many kinds of value: more examples than QUICK's hundred, each still cheap.
@settings(QUICK, max_examples=1000)
@given(st.one_of(event_items(), junk), st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]))
def test_the_fast_path_decides_only_what_the_serializer_accepts_and_returns_the_same_dict(item, time_zone):
    with timezone.override(time_zone):
        fast = clean_events([item])[0]
        try:
            expected = serializer_result(item)
        except OverflowError:  # DRF's check of a naive time made aware past year 9999 (a 500, as before)
            expected = None
    if expected is None:
        assert fast is None
    if fast is not None:
        assert exactly(fast) == exactly(expected)


TYPICAL = [
    {"lead": 123, "kind": "page_view", "external_id": "abc-1"},
    {"lead": 123, "kind": "email_click", "external_id": ""},
    {"email": "Ada@Example.com", "kind": "form_submit"},
    {"lead": 123, "kind": "page_view", "occurred_at": "2026-11-01T10:00:00Z"},
    {"lead": 123, "kind": "page_view", "occurred_at": "2026-11-01T10:00:00+02:00"},
    {"lead": 123, "kind": "page_view", "occurred_at": "2026-11-01T10:00:00"},
    {"lead": 123, "kind": "webinar_attended", "campaign": "spring-webinar", "properties": {"url": "/pricing"}},
    {"lead": 123, "kind": "page_view", "campaign": "", "properties": {}},
    {"lead": 123, "kind": "page_view", "utm_source": "newsletter"},
]


@pytest.mark.parametrize("item", TYPICAL)
def test_typical_items_are_decided_by_the_fast_path_as_the_serializer_decides_them(item):
    (event,) = clean_events([item])
    assert event is not None
    assert exactly(event) == exactly(serializer_result(item))


def test_an_aware_time_is_given_in_the_current_time_zone_as_the_serializer_gives_it():
    item = {"lead": 1, "kind": "page_view", "occurred_at": "2026-11-01T10:00:00Z"}
    with timezone.override("Asia/Kolkata"):
        (event,) = clean_events([item])
        assert event == serializer_result(item)
    assert str(event["occurred_at"].tzinfo) == "Asia/Kolkata"


@pytest.mark.parametrize(
    "item",
    [
        {"lead": "123", "kind": "page_view"},
        {"lead": 123.0, "kind": "page_view"},
        {"lead": 123, "kind": "page_view", "external_id": " padded "},
        {"lead": 123, "kind": "page_view", "external_id": 42},
        {"lead": 123, "kind": "page_view", "campaign": "   "},
        {"lead": 123, "kind": "page_view", "occurred_at": "2026-1-1T10:00"},
        {"email": " ada@example.com ", "kind": "page_view"},
    ],
)
def test_odd_but_valid_items_are_left_to_the_serializer_which_accepts_them(item):
    assert clean_events([item]) == [None]
    assert serializer_result(item) is not None


@pytest.mark.parametrize(
    "item",
    [
        {"lead": True, "kind": "page_view"},
        {"lead": 0, "kind": "page_view"},
        {"lead": 123, "kind": "Page_View"},
        {"lead": 123},
        {"kind": "page_view"},
        {"lead": 123, "kind": "page_view", "external_id": "x" * 101},
        {"lead": 123, "kind": "page_view", "external_id": "a\x00b"},
        {"lead": 123, "kind": "page_view", "occurred_at": "yesterday"},
        {"lead": 123, "kind": "page_view", "properties": ["a list"]},
        {"email": "nobody", "kind": "page_view"},
        ["lead", "kind"],
    ],
)
def test_bad_items_are_left_to_the_serializer_which_refuses_them(item):
    assert clean_events([item]) == [None]
    assert serializer_result(item) is None


@pytest.mark.django_db
def test_a_batch_of_fast_odd_and_bad_items_stores_the_valid_ones_and_reports_the_serializer_messages(marketer):
    lead = LeadFactory()
    batch = [
        {"lead": lead.pk, "kind": "page_view", "external_id": "fast-1", "occurred_at": "2026-11-01T10:00:00Z"},
        {"lead": str(lead.pk), "kind": "email_open", "external_id": " odd-1 "},
        {"lead": True, "kind": "page_view"},
        {"lead": lead.pk, "kind": "page_view", "external_id": "x" * 101},
        {"email": lead.email.upper(), "kind": "form_submit", "properties": {"form": "demo"}, "source": "ignored"},
    ]
    client = APIClient()
    client.force_authenticate(marketer)
    response = client.post("/api/v1/events/", batch, format="json")
    assert response.status_code == 207
    assert response.json() == {
        "stored": 3,
        "duplicates": 0,
        "failed": 2,
        "errors": [
            {"index": 2, "errors": {"lead": ["A valid integer is required."]}},
            {"index": 3, "errors": {"external_id": ["Ensure this field has no more than 100 characters."]}},
        ],
    }
    stored = LeadEvent.objects.filter(lead=lead)
    assert sorted(stored.values_list("external_id", flat=True)) == ["", "fast-1", "odd-1"]
    assert stored.get(external_id="fast-1").occurred_at.isoformat() == "2026-11-01T10:00:00+00:00"
