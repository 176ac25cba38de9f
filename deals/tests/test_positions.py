"""Cards' places in their board columns (`deals.positions`): placing a card writes that card alone while
its neighbours leave room, a column is re-spaced in one statement when they do not, and the order shown
is always the one the moves asked for."""

import io
import threading
from contextlib import contextmanager, nullcontext
from unittest import mock

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from crm.tests.properties import WITH_DATABASE, rolled_back
from deals import positions
from deals.models import MAX_POSITION, Deal
from deals.services import create_deal, delete_stage, move_deal
from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db

DEALS = Deal._meta.db_table


def column(stage) -> list[str]:
    """The titles of `stage`'s cards in the board's order."""
    return list(Deal.objects.filter(stage_id=stage.pk).order_by("position", "-id").values_list("title", flat=True))


def column_positions(stage) -> list[int]:
    return list(Deal.objects.filter(stage_id=stage.pk).order_by("position", "-id").values_list("position", flat=True))


def deal_updates(queries) -> list[str]:
    """The UPDATE statements on the deals table among captured queries."""
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(f'UPDATE "{DEALS}"'.upper())
    ]


def add(rep, stage, *titles):
    """Deals created one by one through the service (each on top): returns them in creation order."""
    return [create_deal(by=rep, stage=stage, title=title) for title in titles]


@contextmanager
def geometry(*, first, step, maximum):
    """A smaller position range, so that a few cards reach its limits (`deals.positions` reads these at
    every call)."""
    with mock.patch.multiple(positions, FIRST=first, STEP=step, MAX_POSITION=maximum):
        yield


# --- One row in the usual case ---------------------------------------------------------------------


def test_a_new_deal_goes_on_top_and_writes_no_other_card(rep):
    demo = stage_named("Demo")
    add(rep, demo, "A", "B", "C")
    before = dict(Deal.objects.filter(stage=demo).values_list("id", "position"))
    with CaptureQueriesContext(connection) as queries:
        create_deal(by=rep, stage=demo, title="New")
    assert deal_updates(queries) == []
    assert dict(Deal.objects.filter(stage=demo).exclude(title="New").values_list("id", "position")) == before
    assert column(demo) == ["New", "C", "B", "A"]


def test_the_first_deal_of_a_column_starts_in_the_middle_of_the_range_and_the_next_a_step_above(rep):
    demo = stage_named("Demo")
    first, second = add(rep, demo, "First", "Second")
    assert (first.position, second.position) == (positions.FIRST, positions.FIRST - positions.STEP)


@pytest.mark.parametrize(
    ("index", "expected"), [(0, ["X", "A", "B", "C"]), (2, ["A", "B", "X", "C"]), (9, ["A", "B", "C", "X"])]
)
def test_a_drag_to_the_top_an_index_or_the_end_writes_the_moved_card_alone(rep, index, expected):
    demo = stage_named("Demo")
    add(rep, demo, "C", "B", "A")
    moved = DealFactory(owner=rep, title="X")
    before = dict(Deal.objects.filter(stage=demo).values_list("id", "position"))
    with CaptureQueriesContext(connection) as queries:
        move_deal(deal=moved, to_stage=demo, by=rep, position=index)
    assert len(deal_updates(queries)) == 1  # the moved card's own save
    assert dict(Deal.objects.filter(stage=demo).exclude(pk=moved.pk).values_list("id", "position")) == before
    assert column(demo) == expected


def test_a_drag_within_a_column_writes_the_moved_card_alone(rep):
    demo = stage_named("Demo")
    add(rep, demo, "D", "C", "B", "A")
    moved = Deal.objects.get(title="A")
    with CaptureQueriesContext(connection) as queries:
        move_deal(deal=moved, to_stage=demo, by=rep, position=2)
    assert len(deal_updates(queries)) == 1
    assert column(demo) == ["B", "C", "A", "D"]


# --- Re-spacing when there is no room --------------------------------------------------------------


def test_a_drag_between_adjacent_positions_respaces_the_column_once_in_order(rep):
    demo = stage_named("Demo")
    for position, title in enumerate(["A", "B", "C", "D"], start=500):
        DealFactory(owner=rep, stage=demo, position=position, title=title)
    moved = DealFactory(owner=rep, title="X")
    with CaptureQueriesContext(connection) as queries:
        move_deal(deal=moved, to_stage=demo, by=rep, position=2)
    updates = deal_updates(queries)
    assert len(updates) == 2  # one set-based re-spacing, then the moved card
    assert "ROW_NUMBER()" in updates[0]
    assert column(demo) == ["A", "B", "X", "C", "D"]
    gaps = [b - a for a, b in zip(column_positions(demo), column_positions(demo)[1:], strict=False)]
    assert min(gaps) >= 2
    # The column has room again: the next drag between two cards writes one row.
    with CaptureQueriesContext(connection) as queries:
        move_deal(deal=Deal.objects.get(title="D"), to_stage=demo, by=rep, position=1)
    assert len(deal_updates(queries)) == 1
    assert column(demo) == ["A", "D", "B", "X", "C"]


def test_respacing_spreads_the_column_evenly_from_the_middle_of_the_range(rep):
    demo = stage_named("Demo")
    for title in "ABCDE":
        DealFactory(owner=rep, stage=demo, position=0, title=title)  # one shared position: newest first
    order = column(demo)
    positions.respace(demo.pk)
    assert column(demo) == order
    assert column_positions(demo) == [positions.FIRST + rank * positions.STEP for rank in range(5)]


def test_cards_sharing_a_position_get_a_card_between_them_in_the_right_place(rep):
    demo = stage_named("Demo")
    for _ in range(3):
        DealFactory(owner=rep, stage=demo, position=7)
    order = column(demo)
    move_deal(deal=DealFactory(owner=rep, title="X"), to_stage=demo, by=rep, position=1)
    assert column(demo) == [order[0], "X", order[1], order[2]]


def test_a_new_deal_above_a_card_at_zero_respaces_the_column(rep):
    demo = stage_named("Demo")
    DealFactory(owner=rep, stage=demo, position=0, title="Old")
    new = create_deal(by=rep, stage=demo, title="New")
    assert column(demo) == ["New", "Old"]
    assert new.position == positions.FIRST - positions.STEP


def test_a_card_dropped_after_one_at_the_end_of_the_range_respaces_the_column(rep):
    demo = stage_named("Demo")
    DealFactory(owner=rep, stage=demo, position=MAX_POSITION - 1, title="A")
    DealFactory(owner=rep, stage=demo, position=MAX_POSITION, title="B")
    moved = DealFactory(owner=rep, title="X")
    move_deal(deal=moved, to_stage=demo, by=rep, position=5)
    assert column(demo) == ["A", "B", "X"]
    assert max(column_positions(demo)) < positions.FIRST + 3 * positions.STEP


def test_the_sql_layout_is_the_python_layout_on_every_branch(rep):
    demo = stage_named("Demo")
    DealFactory.create_batch(25, owner=rep, stage=demo, position=3)
    cases = [
        {"first": positions.FIRST, "step": positions.STEP, "maximum": MAX_POSITION},  # STEP apart
        {"first": 30, "step": 8, "maximum": 200},  # a smaller step from FIRST on
        {"first": 30, "step": 8, "maximum": 60},  # the whole range
    ]
    for case in cases:
        with geometry(**case):
            positions.respace(demo.pk)
            assert column_positions(demo) == [positions.spaced(rank, 25) for rank in range(25)]
            assert column_positions(demo)[0] >= 0 and column_positions(demo)[-1] <= case["maximum"]


def test_positions_between_neighbours():
    with geometry(first=100, step=10, maximum=1000):
        assert positions.between(None, None) == 100
        assert positions.between(None, 100) == 90
        assert positions.between(None, 5) == 2  # halfway to the range's start
        assert positions.between(None, 0) is None
        assert positions.between(990, None) == 1000
        assert positions.between(995, None) == 998  # halfway to the range's end
        assert positions.between(1000, None) is None
        assert positions.between(10, 20) == 15
        assert positions.between(10, 11) is None
        assert positions.between(10, 10) is None


def test_deleting_a_stage_puts_its_cards_below_the_target_columns_in_order(rep, manager):
    demo, proposal = stage_named("Demo"), stage_named("Proposal")
    add(rep, proposal, "P2", "P1")
    add(rep, demo, "D2", "D1")
    delete_stage(stage=demo, by=manager, move_deals_to=proposal)
    assert column(proposal) == ["P1", "P2", "D1", "D2"]
    assert len(set(column_positions(proposal))) == 4


# --- The order is always the one asked for ----------------------------------------------------------

OPEN_STAGES = ["Qualification", "Discovery", "Demo"]
GEOMETRIES = [
    None,  # the real one
    {"first": 8, "step": 4, "maximum": 200},  # few steps of room: frequent re-spacing at the top and between
    {"first": 30, "step": 8, "maximum": 60},  # a cramped range: re-spacing over the whole range, at the end too
]
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 2)),
        st.tuples(st.just("move"), st.integers(0, 40), st.integers(0, 2), st.none() | st.integers(0, 12)),
    ),
    max_size=20,
)


@WITH_DATABASE
@given(
    layout=st.sampled_from(GEOMETRIES),
    start=st.lists(st.lists(st.integers(0, 6), max_size=3), min_size=3, max_size=3),
    operations=OPERATIONS,
)
def test_any_creates_moves_and_drags_show_the_order_a_list_would(rep, layout, start, operations):
    """Against a reference model, a Python list per column: a new deal goes first, a move to another column
    without a place goes first, a drag to index i is at i (or last), a move to the same column without a
    place changes nothing. Starting columns have small, tied and adjacent positions."""
    with rolled_back(), geometry(**layout) if layout else nullcontext():
        stages = [stage_named(name) for name in OPEN_STAGES]
        model: dict[int, list[int]] = {}
        for stage, values in zip(stages, start, strict=True):
            for value in values:
                DealFactory(owner=rep, stage=stage, position=value)
            model[stage.pk] = list(
                Deal.objects.filter(stage=stage).order_by("position", "-id").values_list("id", flat=True)
            )
        for operation in operations:
            if operation[0] == "create":
                stage = stages[operation[1]]
                model[stage.pk].insert(0, create_deal(by=rep, stage=stage, title="Created").pk)
                continue
            _, pick, target, index = operation
            cards = [pk for ids in model.values() for pk in ids]
            if not cards:
                continue
            deal, to_stage = Deal.objects.get(pk=cards[pick % len(cards)]), stages[target]
            move_deal(deal=deal, to_stage=to_stage, by=rep, position=index)
            if index is None and deal.stage_id == to_stage.pk:
                continue
            model[deal.stage_id].remove(deal.pk)
            place = 0 if index is None else min(index, len(model[to_stage.pk]))
            model[to_stage.pk].insert(place, deal.pk)
        for stage in stages:
            shown = list(Deal.objects.filter(stage=stage).order_by("position", "-id").values_list("id", "position"))
            assert [pk for pk, _ in shown] == model[stage.pk]
            assert all(0 <= position <= positions.MAX_POSITION for _, position in shown)


# --- Generators write spaced positions --------------------------------------------------------------


def test_demo_deals_are_spaced_out_in_each_column():
    from crm.demo import seed_users
    from deals import demo

    demo.seed(users=seed_users(), stdout=io.StringIO())
    for stage in {deal.stage for deal in Deal.objects.select_related("stage")}:
        values = column_positions(stage)
        assert values[0] == positions.FIRST
        assert all(b - a >= 2 for a, b in zip(values, values[1:], strict=False))


def test_the_bench_generator_spaces_positions_and_ties_accepted_hand_overs_to_their_deals():
    from bench.generate import Scale, generate
    from handoff.models import Handoff

    stage_named("Demo")
    counts = generate(Scale(leads=60, events_per_lead=1, campaigns=2, days=3, deals=20, open_deals=10, reps=2))
    assert counts["deals"] == 20
    for stage in {deal.stage for deal in Deal.objects.select_related("stage")}:
        values = column_positions(stage)
        assert all(b - a >= positions.STEP for a, b in zip(values, values[1:], strict=False))
    accepted = Handoff.objects.filter(outcome="accepted")
    assert accepted.count() == 20
    assert set(accepted.values_list("deal__lead_id", flat=True)) == set(accepted.values_list("lead_id", flat=True))


# --- The migration ----------------------------------------------------------------------------------

BEFORE = [("deals", "0007_deals_no_longer_point_at_handoffs")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_spaces_out_every_column_keeping_its_order_and_back(rep):
    stage_named("Demo")  # the default pipeline, again after an earlier transactional test's flush
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    apps = executor.loader.project_state(BEFORE).apps
    OldDeal, OldStage = apps.get_model("deals", "Deal"), apps.get_model("deals", "Stage")
    stages = list(OldStage.objects.filter(kind="open").order_by("order")[:2])
    for stage, values in zip(stages, [[0, 1, 2, 2, 3], [5, 5, 0]], strict=True):
        for n, value in enumerate(values):
            OldDeal.objects.create(title=f"{stage.name} {n}", stage=stage, owner_id=rep.pk, position=value)
    orders = {stage.pk: column(stage) for stage in stages}

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    for stage in stages:
        assert column(stage) == orders[stage.pk]
        count = len(orders[stage.pk])
        assert column_positions(stage) == [positions.FIRST + rank * positions.STEP for rank in range(count)]

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    for stage in stages:
        assert column(stage) == orders[stage.pk]
        assert column_positions(stage) == list(range(len(orders[stage.pk])))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# --- Concurrent writers (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="concurrent writers need PostgreSQL (the SQLite test database is in memory)"
)
def test_simultaneous_creates_and_drags_in_one_column_take_distinct_places(rep):
    demo = stage_named("Demo")
    add(rep, demo, *(f"Card {n}" for n in range(6)))
    threads, errors = 6, []
    barrier = threading.Barrier(threads)

    def work(n):
        try:
            barrier.wait()
            for round_ in range(5):
                if n % 2:
                    create_deal(by=rep, stage=demo, title=f"New {n}.{round_}")
                else:
                    moved = Deal.objects.filter(stage=demo).order_by("?").first()
                    move_deal(deal=moved, to_stage=demo, by=rep, position=(n + round_) % 4)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    values = column_positions(demo)
    assert len(values) == 6 + 3 * 5
    assert len(set(values)) == len(values)  # each writer read its free place under the column's lock
