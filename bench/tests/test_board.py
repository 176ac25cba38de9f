import pytest

from bench.board import board_timings
from deals.models import Deal

pytestmark = pytest.mark.django_db


def test_the_board_benchmark_measures_and_leaves_no_data_behind(rep):
    before = Deal.objects.count()
    result = board_timings(deals=30, requests=2)
    assert result["deals"] == 30
    assert result["median_ms"] > 0
    assert result["queries"] == 10
    assert Deal.objects.count() == before
