"""The account score the roll-ups compute in SQL equals the one added up in Python, on random companies,
people, deals and fit rules; and the SQL fit rules match exactly the companies the Python ones do."""

from decimal import Decimal

import pytest
from django.db.models import Case, IntegerField, Value, When
from hypothesis import given, settings
from hypothesis import strategies as st

from companies.fit import SIZE_BANDS, fit_breakdown, rule_condition, rule_matches
from companies.models import AccountSettings, Company, CompanyFitRule
from crm.tests.factories import UserFactory
from crm.tests.properties import WITH_DATABASE, rolled_back
from deals.models import Deal
from deals.tests.factories import stage_named
from leads.models import Lead, LifecycleStage
from reports.accounts.rollups import refresh_all

pytestmark = pytest.mark.django_db

# ASCII words: SQLite's LIKE and LOWER fold ASCII letters only (the same limit as the lead fit rules).
WORDS = ["Software", "software ", "Banking", "bank", "DE", "de", "US", "GB", "Retail", ""]
company = st.fixed_dictionaries(
    {
        "industry": st.sampled_from(WORDS),
        "country": st.sampled_from(WORDS),
        "size_band": st.sampled_from(["", *SIZE_BANDS]),
        "people": st.lists(
            st.tuples(st.floats(0, 60, allow_nan=False), st.sampled_from(LifecycleStage.values)), max_size=4
        ),
        "deals": st.lists(
            st.tuples(st.integers(0, 10_000), st.sampled_from(["Discovery", "Closed won", "Closed lost"])),
            max_size=3,
        ),
    }
)
text_rule = st.builds(
    dict,
    field=st.sampled_from(["industry", "country"]),
    operator=st.sampled_from(["contains", "equals", "in"]),
    value=st.sampled_from(["soft", "Software", "bank, Banking", "de", "US,GB", "x"]),
    points=st.integers(-20, 30),
)
size_rule = st.builds(
    dict,
    field=st.just("size_band"),
    operator=st.sampled_from(["equals", "in", "at_least"]),
    value=st.sampled_from([*SIZE_BANDS, "1-10, 5000+"]),  # a list with "equals": unreadable, earns nothing
    points=st.integers(-20, 30),
)
people_rule = st.builds(
    dict,
    field=st.just("people_count"),
    operator=st.sampled_from(["equals", "in", "at_least"]),
    value=st.sampled_from(["0", "1", "2", "1, 3", "4"]),
    points=st.integers(-20, 30),
)
rule = st.one_of(text_rule, size_rule, people_rule).filter(
    lambda r: not (r["operator"] == "at_least" and "," in r["value"])
)


@pytest.fixture
def owner(db):
    return UserFactory(role="Sales rep")


@settings(WITH_DATABASE, max_examples=25)
@given(st.lists(company, min_size=1, max_size=4), st.lists(rule, max_size=4), st.integers(0, 40))
def test_account_score_is_engagement_plus_fit_as_added_up_in_python(owner, companies, rules, engaged_points):
    with rolled_back():
        AccountSettings.objects.update_or_create(pk=1, defaults={"engaged_person_points": engaged_points})
        fit_rules = [CompanyFitRule.objects.create(**r) for r in rules]
        made = []
        for n, spec in enumerate(companies):
            row = Company.objects.create(
                name=f"C{n}", industry=spec["industry"], country=spec["country"], size_band=spec["size_band"]
            )
            for m, (engagement, stage) in enumerate(spec["people"]):
                Lead.objects.create(
                    email=f"p{n}-{m}@example.com", account=row, engagement_score=engagement, stage=stage
                )
            for amount, stage in spec["deals"]:
                Deal.objects.create(
                    title="D", account=row, amount=Decimal(amount), stage=stage_named(stage), owner=owner
                )
            made.append((row, spec))
        refresh_all()
        for row, spec in made:
            row.refresh_from_db()
            engagement = sum(e for e, _ in spec["people"])
            fit = sum(r.points for r in fit_rules if rule_matches(r, row, people_count=len(spec["people"])))
            assert row.people_count == len(spec["people"])
            assert row.engaged_people == sum(e >= engaged_points for e, _ in spec["people"])
            assert row.fit_score == fit == sum(entry["points"] for entry in fit_breakdown(row, fit_rules))
            assert row.account_score == pytest.approx(engagement + fit)
            amounts = {kind: sum(a for a, s in spec["deals"] if s == kind) for kind in ("Discovery", "Closed won")}
            assert row.open_pipeline == amounts["Discovery"]
            assert row.won_revenue == amounts["Closed won"]


@pytest.mark.parametrize(
    ("field", "operator", "value", "matches"),
    [
        ("industry", "contains", "SOFT", {"Acme"}),
        ("industry", "equals", "software", {"Acme"}),
        ("country", "in", "de, fr", {"Acme", "Bolt"}),
        ("size_band", "at_least", "201-1000", {"Bolt"}),
        ("size_band", "in", "1-10,51-200", {"Acme"}),
        ("people_count", "at_least", "1", {"Acme"}),
        ("people_count", "equals", "0", {"Bolt", "Blank"}),
    ],
)
def test_sql_fit_rules_match_the_companies_the_python_ones_do(field, operator, value, matches):
    Company.objects.create(name="Acme", industry="Software", country="DE", size_band="51-200", people_count=2)
    Company.objects.create(name="Bolt", industry="Banking", country="FR", size_band="5000+")
    Company.objects.create(name="Blank")
    fit_rule = CompanyFitRule(field=field, operator=operator, value=value, points=1)
    in_sql = Company.objects.annotate(
        hit=Case(When(rule_condition(fit_rule), then=Value(1)), default=Value(0), output_field=IntegerField())
    ).filter(hit=1)
    assert {c.name for c in in_sql} == matches
    assert {c.name for c in Company.objects.all() if rule_matches(fit_rule, c)} == matches
