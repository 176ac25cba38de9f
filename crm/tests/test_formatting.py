from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from hypothesis import given
from hypothesis import strategies as st

from crm.templatetags.relay import MISSING, figure, money


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("1234.5"), 0, "1,235"),  # half up, not half to even
        (Decimal("2.5"), 0, "3"),
        (Decimal("1234.5"), 2, "1,234.50"),
        (Decimal("-1234567.125"), 2, "-1,234,567.13"),
        (999.995, 2, "1,000.00"),
        ("42", 0, "42"),
        (0, 0, "0"),
    ],
)
def test_money_rounds_half_up_and_groups_thousands(value, places, shown):
    assert money(value, places) == shown


def test_missing_figures_show_a_dash_never_a_zero():
    assert money(None) == money("") == figure(None) == MISSING


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4), st.integers(min_value=0, max_value=3))
def test_money_shows_what_humanize_intcomma_showed(value, places):
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    assert money(value, places) == figure(value, places) == intcomma(rounded)
