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


def test_the_board_suite_weighs_both_boards_and_removes_its_deals(monkeypatch):
    from bench import board
    from campaigns.models import Campaign

    monkeypatch.setattr(board, "SIZES", (20, 200))
    monkeypatch.setattr(board, "CHROMIUM", "/nowhere/chromium")  # the browser half says it cannot run
    before = (Deal.objects.count(), Campaign.objects.count())
    measured = {m.name: m for m in board.board_pages(runs=2, stdout=None)}
    served = [measured["board: 20 open deals, server"], measured["board: 200 open deals, server"]]
    assert [m.extra["cards"] for m in served] == [20, 150]  # 30 cards a column at most
    assert all(m.ok and 0 < m.extra["html_bytes"] < board.BOARD_BYTES and m.queries == 11 for m in served)
    assert measured["board: load event in Chromium"].error == "Chromium not found at /nowhere/chromium"
    assert (Deal.objects.count(), Campaign.objects.count()) == before
