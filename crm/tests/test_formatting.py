from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template, TemplateSyntaxError
from hypothesis import given
from hypothesis import strategies as st

from crm.templatetags.relay import MISSING, figure, money, percent


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("1234.5"), 0, "$1,235"),  # half up, not half to even
        (Decimal("2.5"), 0, "$3"),
        (Decimal("1234.5"), 2, "$1,234.50"),
        (Decimal("-1234567.125"), 2, "-$1,234,567.13"),
        (999.995, 2, "$1,000.00"),
        ("42", 0, "$42"),
        (0, 0, "$0"),
        (Decimal("-0.001"), 2, "$0.00"),  # no "-$0.00"
    ],
)
def test_money_shows_the_currency_rounds_half_up_and_groups_thousands(value, places, shown):
    assert money(value, places) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1500"), "$1,500"),
        (Decimal("1500.00"), "$1,500"),  # a whole amount as the form stores it
        (Decimal("1500.50"), "$1,500.50"),
        (Decimal("1500.05"), "$1,500.05"),
        (Decimal("0.5"), "$0.50"),
        (Decimal("6666.666"), "$6,666.67"),  # an average
        (Decimal("1499.996"), "$1,500"),  # rounds to whole cents first
        (Decimal("-20"), "-$20"),
    ],
)
def test_money_shows_cents_only_where_there_are_some(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize(
    ("currency", "shown"),
    [("USD", "$1,500.50"), ("EUR", "€1,500.50"), ("GBP", "£1,500.50"), ("CHF", "CHF\u00a01,500.50")],
)
def test_money_shows_the_configured_currency_symbol_or_code(settings, currency, shown):
    settings.CURRENCY = currency
    assert money(Decimal("1500.50")) == shown


def test_missing_figures_show_a_dash_never_a_zero():
    assert money(None) == money("") == figure(None) == percent(None) == percent("") == MISSING


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4), st.integers(min_value=0, max_value=3))
def test_money_shows_what_humanize_intcomma_showed_after_the_currency(value, places):
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    digits = intcomma(abs(rounded))
    assert money(value, places) == ("-$" if rounded < 0 else "$") + digits
    assert figure(value, places) == intcomma(rounded)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0.3164"), "31.6 %"),
        (Decimal("0.05"), "5.0 %"),  # a CTR once shown as "5.00 %"
        (Decimal("1.5"), "150.0 %"),  # an ROI once shown as "150 %"
        (Decimal("-0.16666"), "-16.7 %"),
        (Decimal("0.00045"), "0.0 %"),  # half up: 0.045 % rounds down to 0.0
        (0, "0.0 %"),
    ],
)
def test_percentages_have_one_format_with_one_decimal(value, shown):
    assert percent(value) == shown


def test_a_template_cannot_ask_for_another_percentage_format():
    assert Template("{% load relay %}{{ x|percent }}").render(Context({"x": Decimal("0.25")})) == "25.0 %"
    with pytest.raises(TemplateSyntaxError):
        Template("{% load relay %}{{ x|percent:2 }}")
